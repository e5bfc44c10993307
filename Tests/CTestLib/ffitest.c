// libffitest: C functions of every shape for the call-layer tests (Tests/LuaTests/
// CallTests.swift runs lua/tests/call_*.lua etc. against this library).
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#include "ffitest.h"
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

uint64_t ft_fnv(const void *p, unsigned long n) {
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL;
    for (unsigned long i = 0; i < n; i++) { h ^= b[i]; h *= 1099511628211ULL; }
    return h;
}

// ---- scalars ---------------------------------------------------------------
int8_t neg_i8(int8_t a) { return (int8_t)-a; }
uint8_t add_u8(uint8_t a, uint8_t b) { return (uint8_t)(a + b); }
int16_t add_i16(int16_t a, int16_t b) { return (int16_t)(a + b); }
uint16_t add_u16(uint16_t a, uint16_t b) { return (uint16_t)(a + b); }
int add_int(int a, int b) { return a + b; }
uint32_t add_u32(uint32_t a, uint32_t b) { return a + b; }
int64_t add_i64(int64_t a, int64_t b) { return a + b; }
uint64_t add_u64(uint64_t a, uint64_t b) { return a + b; }
bool not_bool(bool b) { return !b; }
float add_float(float a, float b) { return a + b; }
double add_double(double a, double b) { return a + b; }
long double add_ldouble(long double a, long double b) { return a + b; }
double ldouble_to_double(long double a) { return (double)a; }
long double mul_ldouble_int(long double a, int b) { return a * b; }
size_t str_len(const char *s) { return s ? strlen(s) : (size_t)-1; }
char upper_char(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c; }
unsigned char uchar_id(unsigned char c) { return c; }
long long_id(long v) { return v; }
unsigned long ulong_id(unsigned long v) { return v; }
// What C sees of a narrow argument, widened (checks sign/zero extension).
int32_t i8_seen(int8_t a) { return a; }
uint32_t u8_seen(uint8_t a) { return a; }
int32_t i16_seen(int16_t a) { return a; }
int64_t i32_seen(int32_t a) { return a; }
int64_t u32_seen(uint32_t a) { return a; }
int bool_seen(bool b) { return b ? 1 : 0; }
// Narrow results from wide computations (the callee leaves high bits as they are).
int8_t trunc_i8(int v) { return (int8_t)v; }
uint16_t trunc_u16(int v) { return (uint16_t)v; }
float double_to_float(double d) { return (float)d; }
double float_to_double(float f) { return (double)f; }

enum ft_color { FT_RED, FT_GREEN = 5, FT_BLUE };
enum ft_color next_color(enum ft_color c) { return c == FT_RED ? FT_GREEN : c == FT_GREEN ? FT_BLUE : FT_RED; }
enum ft_big { FT_BIG_MIN = -1, FT_BIG_MAX = 0x7fffffff };
int big_enum_id(enum ft_big e) { return (int)e; }

// ---- pointers and strings --------------------------------------------------
static char hello_text[] = "hello, ffi";
const char *hello(void) { return hello_text; }
void *null_pointer(void) { return NULL; }
int is_null(const void *p) { return p == NULL; }
int *int_ptr_next(int *p) { return p + 1; }
int sum_ints(const int *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }
void fill_ints(int *out, int n, int start) { for (int i = 0; i < n; i++) out[i] = start + i; }
void divmod(int a, int b, int *q, int *r) { *q = a / b; *r = a % b; }
void upper_in_place(char *s) { for (; *s; s++) *s = upper_char(*s); }
double deref_double(const double *p) { return *p; }
const char *str_at(const char *const *list, int i) { return list[i]; }

// ---- many arguments (beyond the registers: libffi) ---------------------------
int sum7(int a, int b, int c, int d, int e, int f, int g) { return a + b + c + d + e + f + g; }
int64_t sum8_i64(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, int64_t h) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}
double sum9_d(double a, double b, double c, double d, double e, double f, double g, double h, double i) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i;
}
float sum9_f(float a, float b, float c, float d, float e, float f, float g, float h, float i) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i;
}
double mixed6(int a, double b, int8_t c, float d, int64_t e, uint16_t f) {
    return a * 1e0 + b * 1e1 + c * 1e2 + d * 1e3 + (double)e * 1e4 + f * 1e5;
}
double mixed_many(int a, double b, int c, double d, int e, double f, int g, double h, int i, double j,
                  int k, double l, int m, double n, int o, double p, int q, double r) {
    return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8 + i * 9 + j * 10 + k * 11 + l * 12 +
           m * 13 + n * 14 + o * 15 + p * 16 + q * 17 + r * 18;
}
int64_t narrow_many(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int8_t g, uint8_t h) {
    return a + b * 1000LL + c * 1000000LL + d * 10LL + e + (int64_t)f + g * 3 + h * 7;
}

// ---- structs by value -------------------------------------------------------
typedef struct { int a, b; } IntPair;
typedef struct { float x, y; } FloatPair;
typedef struct { double x, y; } DoublePair;
typedef struct { int i; double d; } IntDouble;
typedef struct { int64_t a, b, c; } Big3;
typedef struct { IntPair p; DoublePair d; } Nested;
typedef struct { IntPair p; float f; } NestedSmall;
typedef struct { char tag; short arr[3]; } WithArray;
typedef struct { float f[3]; } Float3;
typedef struct { unsigned a : 3, b : 5; int c : 12; } Bits;
typedef struct { unsigned char x; uint64_t y : 40; unsigned z : 7; } Bits64;
typedef struct __attribute__((packed)) { char c; int i; short s; } Packed;
typedef struct __attribute__((packed)) { char c; double d; } PackedD;
typedef struct { char a, b, c; } Chars3;
typedef struct { char c; } OneChar;
typedef struct { float x; int y; } FloatInt;
typedef struct { double d; float f; } DoubleFloat;
typedef struct { long double ld; } LDStruct;
typedef struct { int a[5]; } IntArray5;
typedef struct { double a; double b; double c; double d; } Double4;
typedef struct { uint8_t a; uint64_t b; uint8_t c; } Padded;

// ---- unions by value --------------------------------------------------------
typedef union { int i; float f; } IntFloat;
typedef union { double d; long l; } DoubleLong;
typedef union { float f[2]; double d; } FloatsDouble;
typedef union { IntPair p; FloatPair f; } PairUnion;
typedef union { DoublePair d; IntDouble id; } MixedUnion16;
typedef union { int64_t a[3]; double d; } BigUnion;
typedef union { char c[4]; short s; } CharsShort;
typedef union { float f; struct { uint16_t lo, hi; } h; } FloatHalves;

// For each type T: make_T(seed) fills it from a seed, sum_T(T) / sum_T_ptr(const T *)
// are checksums of what C received, echo_T returns its argument, expect_T(seed) is
// sum_T_ptr of make_T(seed) computed in C alone, cb_make_T / cb_echo_T go through
// a Lua callback (struct result / struct argument).
#define SHAPE(T, FILL, SUM)                                                                  \
    T make_##T(int seed) { T v; memset(&v, 0, sizeof v); FILL; return v; }                  \
    uint64_t sum_##T##_ptr(const T *p) { const T v = *p; uint64_t h = 0; SUM; return h; }   \
    uint64_t sum_##T(T v) { return sum_##T##_ptr(&v); }                                     \
    T echo_##T(T v) { return v; }                                                           \
    uint64_t expect_##T(int seed) { T v = make_##T(seed); return sum_##T##_ptr(&v); }       \
    uint64_t cb_make_##T(T (*f)(int), int seed) { T v = f(seed); return sum_##T##_ptr(&v); } \
    uint64_t cb_echo_##T(uint64_t (*f)(T), int seed) { return f(make_##T(seed)); }          \
    T pass10_##T(int a, int b, int c, int d, int e, int f, T v, double x, int g, T w) {      \
        (void)a; (void)b; (void)c; (void)d; (void)e; (void)f; (void)x; (void)g; (void)w;     \
        return v;                                                                            \
    }
#define MIX(x) (h = h * 31 + (uint64_t)(x))
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
#define MIXD(x) MIX(dbits(x))

SHAPE(IntPair, (v.a = seed, v.b = -seed * 3), (MIX(v.a), MIX(v.b)))
SHAPE(FloatPair, (v.x = seed + 0.5f, v.y = -seed * 0.25f), (MIXD(v.x), MIXD(v.y)))
SHAPE(DoublePair, (v.x = seed + 0.125, v.y = seed * 1e10), (MIXD(v.x), MIXD(v.y)))
SHAPE(IntDouble, (v.i = seed * 7, v.d = seed / 3.0), (MIX(v.i), MIXD(v.d)))
SHAPE(Big3, (v.a = seed, v.b = (int64_t)seed << 40, v.c = -seed), (MIX(v.a), MIX(v.b), MIX(v.c)))
SHAPE(Nested, (v.p.a = seed, v.p.b = seed + 1, v.d.x = seed * 0.5, v.d.y = -1.5),
      (MIX(v.p.a), MIX(v.p.b), MIXD(v.d.x), MIXD(v.d.y)))
SHAPE(NestedSmall, (v.p.a = seed, v.p.b = -seed, v.f = seed * 0.75f), (MIX(v.p.a), MIX(v.p.b), MIXD(v.f)))
SHAPE(WithArray, (v.tag = (char)('A' + seed % 26), v.arr[0] = seed, v.arr[1] = -seed, v.arr[2] = 300),
      (MIX(v.tag), MIX(v.arr[0]), MIX(v.arr[1]), MIX(v.arr[2])))
SHAPE(Float3, (v.f[0] = seed, v.f[1] = seed * 0.5f, v.f[2] = -2.25f), (MIXD(v.f[0]), MIXD(v.f[1]), MIXD(v.f[2])))
SHAPE(Bits, (v.a = seed & 7, v.b = (seed * 3) & 31, v.c = -seed), (MIX(v.a), MIX(v.b), MIX(v.c)))
SHAPE(Bits64, (v.x = (unsigned char)seed, v.y = ((uint64_t)seed << 32) | 0x12345u, v.z = seed & 127),
      (MIX(v.x), MIX(v.y), MIX(v.z)))
SHAPE(Packed, (v.c = (char)seed, v.i = seed * 100000, v.s = (short)-seed), (MIX(v.c), MIX(v.i), MIX(v.s)))
SHAPE(PackedD, (v.c = (char)seed, v.d = seed * 2.5), (MIX(v.c), MIXD(v.d)))
SHAPE(Chars3, (v.a = (char)seed, v.b = (char)(seed + 1), v.c = (char)(seed + 2)), (MIX(v.a), MIX(v.b), MIX(v.c)))
SHAPE(OneChar, (v.c = (char)seed), (MIX(v.c)))
SHAPE(FloatInt, (v.x = seed * 1.5f, v.y = -seed), (MIXD(v.x), MIX(v.y)))
SHAPE(DoubleFloat, (v.d = seed * 1.5, v.f = seed * 0.5f), (MIXD(v.d), MIXD(v.f)))
SHAPE(LDStruct, (v.ld = seed * 1.5L), (MIXD((double)v.ld)))
SHAPE(IntArray5, (v.a[0] = seed, v.a[1] = 2, v.a[2] = 3, v.a[3] = 4, v.a[4] = -seed),
      (MIX(v.a[0]), MIX(v.a[1]), MIX(v.a[2]), MIX(v.a[3]), MIX(v.a[4])))
SHAPE(Double4, (v.a = seed, v.b = 2, v.c = 3.5, v.d = -seed), (MIXD(v.a), MIXD(v.b), MIXD(v.c), MIXD(v.d)))
SHAPE(Padded, (v.a = (uint8_t)seed, v.b = (uint64_t)seed * 3, v.c = 0xEE), (MIX(v.a), MIX(v.b), MIX(v.c)))
SHAPE(IntFloat, (v.i = seed * 12345), (MIX(v.i)))
SHAPE(DoubleLong, (v.d = seed * 0.1), (MIX(v.l)))
SHAPE(FloatsDouble, (v.f[0] = seed, v.f[1] = -0.5f), (MIXD(v.f[0]), MIXD(v.f[1])))
SHAPE(PairUnion, (v.p.a = seed, v.p.b = seed * 2), (MIX(v.p.a), MIX(v.p.b)))
SHAPE(MixedUnion16, (v.d.x = seed * 0.5, v.d.y = -seed * 8.0), (MIXD(v.d.x), MIXD(v.d.y)))
SHAPE(BigUnion, (v.a[0] = seed, v.a[1] = -seed, v.a[2] = 99), (MIX(v.a[0]), MIX(v.a[1]), MIX(v.a[2])))
SHAPE(CharsShort, (v.c[0] = (char)seed, v.c[1] = 2, v.c[2] = 3, v.c[3] = 4), (MIX(v.c[0]), MIX(v.c[1]), MIX(v.c[2]), MIX(v.c[3])))
SHAPE(FloatHalves, (v.f = seed * 3.75f), (MIX(v.h.lo), MIX(v.h.hi)))

// Field-level results for readable asserts.
IntPair swap_pair(IntPair p) { IntPair r = {p.b, p.a}; return r; }
DoublePair scale_dpair(DoublePair p, double k) { DoublePair r = {p.x * k, p.y * k}; return r; }
double dot_fpair(FloatPair a, FloatPair b) { return a.x * b.x + a.y * b.y; }
int union_int(IntFloat u) { return u.i; }
float union_float(IntFloat u) { return u.f; }
IntFloat union_from_float(float f) { IntFloat u; u.f = f; return u; }
long dl_bits(DoubleLong u) { return u.l; }

// ---- varargs ------------------------------------------------------------------
int64_t sum_ints_va(int n, ...) {
    va_list ap; va_start(ap, n);
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, int64_t);
    va_end(ap);
    return s;
}
double sum_doubles_va(int n, ...) {
    va_list ap; va_start(ap, n);
    double s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, double);
    va_end(ap);
    return s;
}
static char format_buffer[512];
const char *format_va(const char *fmt, ...) {
    va_list ap; va_start(ap, fmt);
    vsnprintf(format_buffer, sizeof format_buffer, fmt, ap);
    va_end(ap);
    return format_buffer;
}
uint64_t sum_IntPair_va(int n, ...) {
    va_list ap; va_start(ap, n);
    uint64_t h = 0;
    /* Structs in the variadic part arrive as pointers to them (LuaJIT's rule). */
    for (int i = 0; i < n; i++) { const IntPair *p = va_arg(ap, const IntPair *); MIX(p->a); MIX(p->b); }
    va_end(ap);
    return h;
}

// ---- callbacks ------------------------------------------------------------------
int call_int_cb(int (*f)(int), int x) { return f(x); }
double call_dd_cb(double (*f)(double, double), double a, double b) { return f(a, b); }
int call_n_times(int (*f)(int), int n) { int s = 0; for (int i = 0; i < n; i++) s += f(i); return s; }
int call_twice(int (*f)(int), int (*g)(int), int x) { return g(f(x)); }
int call_many_cb(int (*f)(int, int, int, int, int, int, int, double, double, double, double, double,
                         double, double, double, double)) {
    return f(1, 2, 3, 4, 5, 6, 7, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5);
}
// Every argument register of the callback entry (6 integer, 8 floating), interleaved.
double call_regs_cb(double (*f)(int8_t, double, uint16_t, float, int64_t, double, void *, float,
                                 uint32_t, double, bool, double, float, double)) {
    static int target;
    return f(-3, 0.25, 65000, 1.5f, -5000000000LL, 2.75, &target, -0.5f, 4000000000u, 8.125, true,
             -16.5, 3.25f, 0.0625);
}
const char *call_str_cb(const char *(*f)(const char *), const char *s) { return f(s); }
void call_void_cb(void (*f)(int), int x) { f(x); }
int64_t call_i64_cb(int64_t (*f)(int8_t, uint16_t, int64_t), int8_t a, uint16_t b, int64_t c) { return f(a, b, c); }
float call_float_cb(float (*f)(float), float x) { return f(x); }
bool call_bool_cb(bool (*f)(bool), bool x) { return f(x); }
uint64_t echo_u64_cb(uint64_t (*f)(uint64_t), uint64_t x) { return f(x); }
int8_t call_i8_cb(int8_t (*f)(int8_t), int8_t x) { return (int8_t)(f(x) + 0); }
int cmp_sum(int *values, int n, int (*cmp)(const void *, const void *)) {
    qsort(values, (size_t)n, sizeof(int), cmp);
    return values[0];
}
IntPair call_pair_cb(IntPair (*f)(IntPair), IntPair p) { return f(p); }

static int (*stored_cb)(int);
void store_cb(int (*f)(int)) { stored_cb = f; }
int call_stored(int x) { return stored_cb ? stored_cb(x) : -1; }
static IntPair (*stored_pair_cb)(IntPair);
void store_pair_cb(IntPair (*f)(IntPair)) { stored_pair_cb = f; }
IntPair call_stored_pair(int a, int b) {
    IntPair p = {a, b};
    return stored_pair_cb ? stored_pair_cb(p) : (IntPair){-1, -1};
}

// Callbacks called after their Lua state closed: keep_for_exit keeps int (*)(int)
// pointers (call_kept calls one), call_kept_at_exit registers an exit handler (luaffi closes the state,
// then exits) that calls each kept one and the stored pair callback and prints
// what they returned. The library pins itself: closing the state unloads it.
static int (*kept[8])(int);
static int kept_count;
int keep_for_exit(int (*f)(int)) { if (kept_count < 8) kept[kept_count++] = f; return kept_count - 1; }
int call_kept(int i, int x) { return i >= 0 && i < kept_count ? kept[i](x) : -1; }
static void call_all_kept(void) {
    for (int i = 0; i < kept_count; i++) printf("kept %d: %d\n", i, kept[i](5));
    if (stored_pair_cb) {
        IntPair p = stored_pair_cb((IntPair){3, 4});
        printf("pair: %d %d\n", p.a, p.b);
    }
    fflush(stdout);
}
int call_kept_at_exit(void) {
    Dl_info self;
    if (!dladdr((void *)call_kept_at_exit, &self) || !dlopen(self.dli_fname, RTLD_NOW | RTLD_NODELETE)) return -1;
    return atexit(call_all_kept);
}

// A callback from a new thread, joined before returning (the owner is in C).
typedef struct { int (*f)(int); int x, result; } ThreadJob;
static void *thread_body(void *p) { ThreadJob *job = p; job->result = job->f(job->x); return NULL; }
int call_in_thread(int (*f)(int), int x) {
    ThreadJob job = {f, x, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, thread_body, &job) != 0) return -999;
    pthread_join(t, NULL);
    return job.result;
}
int call_in_threads(int (*f)(int), int n) {
    ThreadJob jobs[8];
    pthread_t ts[8];
    if (n > 8) n = 8;
    for (int i = 0; i < n; i++) { jobs[i] = (ThreadJob){f, i, 0}; pthread_create(&ts[i], NULL, thread_body, &jobs[i]); }
    int s = 0;
    for (int i = 0; i < n; i++) { pthread_join(ts[i], NULL); s += jobs[i].result; }
    return s;
}
// `threads` threads at once, each calling f(0) ... f(iterations - 1); returns the sum
// of all results (the caller is in C meanwhile).
typedef struct { int (*f)(int); int iterations; int64_t sum; } LoopJob;
static void *loop_body(void *p) {
    LoopJob *job = p;
    for (int i = 0; i < job->iterations; i++) job->sum += job->f(i);
    return NULL;
}
int64_t call_in_threads_loop(int (*f)(int), int threads, int iterations) {
    LoopJob jobs[16];
    pthread_t ts[16];
    if (threads > 16) threads = 16;
    for (int i = 0; i < threads; i++) {
        jobs[i] = (LoopJob){f, iterations, 0};
        if (pthread_create(&ts[i], NULL, loop_body, &jobs[i]) != 0) return -999;
    }
    int64_t s = 0;
    for (int i = 0; i < threads; i++) { pthread_join(ts[i], NULL); s += jobs[i].sum; }
    return s;
}
// A thread left running after the call returns: it calls back once the caller sets
// thread_go (from Lua, a variable write: no C call), so the owner is surely not in C.
volatile int thread_done = 0;
volatile int thread_go = 0;
static ThreadJob detached_job;
static pthread_t detached_thread;
static void *detached_body(void *p) {
    while (!__atomic_load_n(&thread_go, __ATOMIC_SEQ_CST)) sched_yield();
    thread_body(p);
    __atomic_store_n(&thread_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}
int start_thread(int (*f)(int), int x) {
    thread_done = 0;
    thread_go = 0;
    detached_job = (ThreadJob){f, x, 0};
    return pthread_create(&detached_thread, NULL, detached_body, &detached_job);
}
// Starts a thread that calls f(x) at once, and returns once f has started (the Lua
// function sets callback_started): f is still running when this call returns.
volatile int callback_started = 0;
int start_thread_and_wait(int (*f)(int), int x) {
    callback_started = 0;
    thread_done = 0;
    thread_go = 1;
    detached_job = (ThreadJob){f, x, 0};
    if (pthread_create(&detached_thread, NULL, detached_body, &detached_job) != 0) return -1;
    while (!__atomic_load_n(&callback_started, __ATOMIC_SEQ_CST)) sched_yield();
    return 7;
}
int join_thread(void) { pthread_join(detached_thread, NULL); return detached_job.result; }
// Starts a thread that calls f(1), waits until f has started (the Lua function sets
// callback_started), then calls f(2) here while the thread's call may still run;
// returns the sum of both results.
int call_here_and_in_thread(int (*f)(int)) {
    callback_started = 0;
    thread_go = 1;
    detached_job = (ThreadJob){f, 1, 0};
    if (pthread_create(&detached_thread, NULL, detached_body, &detached_job) != 0) return -1;
    while (!__atomic_load_n(&callback_started, __ATOMIC_SEQ_CST)) sched_yield();
    int here = f(2);
    pthread_join(detached_thread, NULL);
    return here + detached_job.result;
}

// ---- errno ----------------------------------------------------------------------
int set_errno(int e) { errno = e; return -1; }
int get_errno(void) { return errno; }
// Seven arguments: the C libffi path (call_libffi_path.lua).
int set_errno7(int e, int a, int b, int c, int d, int f, int g) { errno = e; return a + b + c + d + f + g - 1; }
int64_t call_cb7(int64_t (*f)(int64_t), int64_t a, int b, int c, int d, int e, int g) {
    return f(a) + b + c + d + e + g;
}

// ---- globals --------------------------------------------------------------------
int global_int = 42;
double global_double = 2.5;
int global_array[4] = {1, 2, 3, 4};
IntPair global_pair = {7, 8};
const char *global_string = "global";
int read_global_int(void) { return global_int; }
int read_global_array(int i) { return global_array[i]; }
int read_global_pair_sum(void) { return global_pair.a + global_pair.b; }

// ---- what C received from a failing callback ---------------------------------------
int last_result = 0;
double last_double = 0;
int call_record(int (*f)(int), int x) { last_result = f(x); return last_result; }
double call_dd_record(double (*f)(double, double), double a, double b) { last_double = f(a, b); return last_double; }
typedef struct { int a, b; } IntPairR;
IntPairR last_pair;
void call_pair_record(IntPairR (*f)(int)) { last_pair = f(1); }
