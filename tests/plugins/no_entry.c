/* expected verdict: LOAD_ERROR (the library does not export the entry function). */
int gauntlet_plugin_entry_misspelled(void) { return 0; }
