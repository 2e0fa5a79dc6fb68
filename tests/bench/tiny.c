/* The smallest program there is, linked statically: spawning it measures what fork+exec
 * costs on this machine (the spawn benchmark's machine limit). */
int main(void) { return 0; }
