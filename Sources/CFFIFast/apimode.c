/* ffi.verify's C half: the Swift half (upvalue 1) builds or finds the module and
 * returns its luaopen function; calling that raises freely here, with no Swift frame
 * in between. */
#include "CFFIFast.h"

int lf_apiverify(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 2); /* luaopen_NAME, NAME */
    lua_call(L, 1, 1);                 /* { ffi = , lib = } */
    lua_getfield(L, -1, "lib");
    return 1;
}
