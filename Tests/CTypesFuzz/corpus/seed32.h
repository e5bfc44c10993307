	struct t {
		int a		int b; };