// Only in sanitizer builds (the asan preset): the worker must end as it does in production
// when a plugin crashes, so that the judge's verdict (CRASH, naming the signal) is the same.
// AddressSanitizer's own SEGV/SIGBUS/SIGFPE/SIGILL/abort handlers would print a report and
// exit with code 1 instead; LeakSanitizer would need ptrace, which the sandbox denies. The
// worker starts with a clean environment, so ASAN_OPTIONS cannot say this: the defaults can.
#if defined(__SANITIZE_ADDRESS__)
#define GAUNTLET_WORKER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GAUNTLET_WORKER_ASAN 1
#endif
#endif

#ifdef GAUNTLET_WORKER_ASAN
extern "C" const char* __asan_default_options() {
  return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:"
         "allow_user_segv_handler=1:detect_leaks=0";
}
#endif
