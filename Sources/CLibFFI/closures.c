/* libffi closures that never die: see lf_Closure in CLibFFI.h. */
#include "CLibFFI.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A free closure is handed out again only while more than this many are free
 * (oldest first, and only to the same signature): a call kept from a freed
 * callback finds it unbound for at least this many later frees. */
#define SPARE 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static lf_Closure *first_free, *last_free; /* FIFO: freed longest ago first */
static int free_count;
static lf_Closure *kept; /* poisoned ones, never reused (listed: not leaks) */

/* Keeps a poisoned closure for good. Called with the lock held. */
static void keep(lf_Closure *c) {
  c->next = kept;
  kept = c;
}

/* A deep copy of `t` (libffi's own scalar descriptions included: the closure must
 * not depend on memory its state frees); NULL when out of memory. */
static ffi_type *copy_type(const ffi_type *t) {
  size_t n = 0;
  if (t->elements)
    while (t->elements[n]) n++;
  ffi_type *c = calloc(1, sizeof *c + (t->elements ? (n + 1) * sizeof(ffi_type *) : 0));
  if (!c) return NULL;
  *c = *t;
  if (t->elements) {
    c->elements = (ffi_type **)(c + 1);
    for (size_t i = 0; i < n; i++)
      if (!(c->elements[i] = copy_type(t->elements[i]))) return NULL; /* leaks a little: OOM only */
  }
  return c;
}

static int same_type(const ffi_type *a, const ffi_type *b) {
  if (a->size != b->size || a->alignment != b->alignment || a->type != b->type) return 0;
  if (!a->elements || !b->elements) return a->elements == b->elements;
  size_t i = 0;
  for (; a->elements[i] && b->elements[i]; i++)
    if (!same_type(a->elements[i], b->elements[i])) return 0;
  return a->elements[i] == b->elements[i];
}

static int same_signature(const ffi_cif *a, const ffi_cif *b) {
  if (a->abi != b->abi || a->nargs != b->nargs || !same_type(a->rtype, b->rtype)) return 0;
  for (unsigned i = 0; i < a->nargs; i++)
    if (!same_type(a->arg_types[i], b->arg_types[i])) return 0;
  return 1;
}

/* libffi's handler of every closure: the bound callback's `run`, or a defined zero
 * result and a message when nothing is bound. */
static void handler(ffi_cif *cif, void *result, void **arguments, void *data) {
  (void)cif;
  lf_Closure *c = data;
  void *bound = __atomic_load_n(&c->bound, __ATOMIC_ACQUIRE);
  if (bound && c->run(bound, result, arguments)) return;
  if (!bound) __atomic_store_n(&c->poisoned, 1, __ATOMIC_RELAXED); /* C keeps it: never reused */
  if (c->result_bytes) memset(result, 0, c->result_bytes);
  fputs("luaffi: a callback was called after it was freed or its Lua state closed; it returned 0\n", stderr);
  fflush(stderr);
}

/* A new closure with its own copy of `cif`'s signature; NULL when out of memory. */
static lf_Closure *make(const ffi_cif *cif) {
  lf_Closure *c = calloc(1, sizeof *c + (cif->nargs + 1) * sizeof(ffi_type *));
  if (!c) return NULL;
  ffi_type **arguments = (ffi_type **)(c + 1);
  ffi_type *result = copy_type(cif->rtype);
  for (unsigned i = 0; i < cif->nargs; i++)
    if (!(arguments[i] = copy_type(cif->arg_types[i]))) return NULL;
  if (!result || ffi_prep_cif(&c->cif, cif->abi, cif->nargs, result, arguments) != FFI_OK) return NULL;
  c->closure = ffi_closure_alloc(sizeof(ffi_closure), &c->code);
  if (!c->closure) return NULL;
  if (ffi_prep_closure_loc(c->closure, &c->cif, handler, c, c->code) != FFI_OK) return NULL;
  /* libffi wants a whole ffi_arg for results narrower than one. */
  size_t size = result->type == FFI_TYPE_VOID ? 0 : result->size;
  c->result_bytes = size == 0 ? 0 : size < sizeof(ffi_arg) ? sizeof(ffi_arg) : size;
  return c;
}

/* The oldest free closure with `cif`'s signature, unlinked, when more than SPARE
 * are free; else NULL. Closures called while free are dropped from the list on the
 * way (they stay unbound for good). Called with the lock held. */
static lf_Closure *take_free(const ffi_cif *cif) {
  if (free_count <= SPARE) return NULL;
  lf_Closure **p = &first_free, *prev = NULL;
  while (*p) {
    lf_Closure *c = *p;
    int dropped = __atomic_load_n(&c->poisoned, __ATOMIC_RELAXED);
    if (!dropped && !same_signature(&c->cif, cif)) {
      prev = c;
      p = &c->next;
      continue;
    }
    *p = c->next;
    if (last_free == c) last_free = prev;
    free_count--;
    c->next = NULL;
    if (!dropped) return c;
    keep(c);
  }
  return NULL;
}

lf_Closure *lf_closure_claim(const ffi_cif *cif, void *bound, int (*run)(void *, void *, void **)) {
  pthread_mutex_lock(&lock);
  lf_Closure *c = take_free(cif);
  pthread_mutex_unlock(&lock);
  if (!c && !(c = make(cif))) return NULL;
  c->run = run;
  __atomic_store_n(&c->bound, bound, __ATOMIC_RELEASE);
  return c;
}

void lf_closure_release(lf_Closure *c, int poison) {
  __atomic_store_n(&c->bound, NULL, __ATOMIC_RELEASE);
  pthread_mutex_lock(&lock);
  if (poison) {
    __atomic_store_n(&c->poisoned, 1, __ATOMIC_RELAXED);
    keep(c);
    pthread_mutex_unlock(&lock);
    return;
  }
  c->next = NULL;
  if (last_free) last_free->next = c; else first_free = c;
  last_free = c;
  free_count++;
  pthread_mutex_unlock(&lock);
}
