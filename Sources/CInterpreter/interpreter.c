/* The interpreter's C pieces: Ctrl-C handling as lua.c does it, and line input
 * (readline when the system has it, else fgets). */
#include "CInterpreter.h"

#include <lua5.4/lauxlib.h>

#if !defined(LUA_PROMPT)
#define LUA_PROMPT "> "
#define LUA_PROMPT2 ">> "
#endif


#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- SIGINT (lua.c's laction/lstop) ----------------------------------------- */

static lua_State *volatile interrupted_state = NULL;

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

/* lua.c's setsignal: sigaction without SA_RESTART (signal() would restart), so that
 * Ctrl-C also breaks a blocking read such as io.read(). */
static void setsignal(int sig, void (*handler)(int)) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void laction(int sig) {
  int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  setsignal(sig, SIG_DFL);
  if (interrupted_state) lua_sethook(interrupted_state, lstop, flag, 1);
}

void lf_catchinterrupt(lua_State *L) {
  interrupted_state = L;
  setsignal(SIGINT, laction);
}

void lf_releaseinterrupt(void) {
  setsignal(SIGINT, SIG_DFL);
  interrupted_state = NULL;
}

/* ---- Line input -------------------------------------------------------------- */

typedef char *(*readline_fn)(const char *);
typedef void (*add_history_fn)(const char *);
static readline_fn rl_readline = NULL;
static add_history_fn rl_add_history = NULL;
static int rl_tried = 0;

static void rl_load(void) {
  if (rl_tried) return;
  rl_tried = 1;
  void *h = dlopen("libreadline.so.8", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) return;
  rl_readline = (readline_fn)dlsym(h, "readline");
  rl_add_history = (add_history_fn)dlsym(h, "add_history");
  if (rl_readline == NULL || rl_add_history == NULL) rl_readline = NULL;
}

char *lf_readline(const char *prompt) {
  rl_load();
  if (rl_readline) return rl_readline(prompt);
  fputs(prompt, stdout);
  fflush(stdout);
  char buffer[512];
  size_t cap = 0, len = 0;
  char *line = NULL;
  while (fgets(buffer, sizeof buffer, stdin) != NULL) {
    size_t n = strlen(buffer);
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      char *grown = realloc(line, cap);
      if (grown == NULL) { free(line); return NULL; }
      line = grown;
    }
    memcpy(line + len, buffer, n + 1);
    len += n;
    if (len > 0 && line[len - 1] == '\n') { line[--len] = '\0'; return line; }
  }
  return line; /* NULL at end of input, or the last unterminated line */
}

void lf_addhistory(const char *line) {
  if (rl_add_history) rl_add_history(line);
}

/* ---- lua.c's constants --------------------------------------------------------- */

int lf_stdin_is_tty(void) { return isatty(0); }
const char *lf_copyright(void) { return LUA_COPYRIGHT; }
const char *lf_prompt(int firstline) { return firstline ? LUA_PROMPT : LUA_PROMPT2; }
