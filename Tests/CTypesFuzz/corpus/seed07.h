typedef struct point { double x, y; } point;
int add_int(int a, int b);
double point_len(const point *p);
long apply(int (*cb)(int), int n);
const char *greet(void);