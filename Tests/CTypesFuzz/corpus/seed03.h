#pragma pack(push, 2)
struct p { char c; long long x : 40; } __attribute__((packed, aligned(8)));
#pragma pack(pop)