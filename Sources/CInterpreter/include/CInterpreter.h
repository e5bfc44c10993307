/* CInterpreter: the C pieces of the `luaffi` interpreter only: Ctrl-C as lua.c
 * handles it, line input, and lua.c's constants. */
#ifndef CINTERPRETER_H
#define CINTERPRETER_H

#include <lua5.4/lua.h>

/* Starts/stops the SIGINT handler that stops a running chunk with
 * "interrupted!" (lua.c's behaviour; used by the interpreter only). */
void lf_catchinterrupt(lua_State *L);
void lf_releaseinterrupt(void);

/* The stdin-is-a-terminal test lua.c uses. */
int lf_stdin_is_tty(void);

/* LUA_COPYRIGHT, the line `lua5.4 -v` prints. */
const char *lf_copyright(void);
/* lua.c's default prompts: "> " for a first line, ">> " for a continuation. */
const char *lf_prompt(int firstline);

/* Line reading for the interpreter: readline (loaded with dlopen when the system
 * has it) or fgets. Returns a malloc'ed line without its newline, or NULL at end
 * of input. */
char *lf_readline(const char *prompt);
void lf_addhistory(const char *line);

#endif
