/* Stands in for a oneDNN 3.x a team built themselves: a library whose SONAME is libdnnl.so.3.
 * Linked into needs_dnnl3 at build time, and deliberately absent when the judge loads it. */
__attribute__((visibility("default"))) const void* dnnl_version(void) { return "3.99 (fake)"; }
