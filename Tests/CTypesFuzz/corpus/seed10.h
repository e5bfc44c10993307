typedef struct s1_1 { int a; double b; const char *c; struct s1_1 *next; uint8_t d[16]; } s1_1;
int fs1_2(int a, const char *b, s1_1 *c, double d, unsigned long e);