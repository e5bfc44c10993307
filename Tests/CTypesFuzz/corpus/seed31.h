#line 1 "x.h"
# 3 "y.h" 2
int after_marker;