# gdb settings to debug a plugin inside the real judge (sdk/README.md, "Debugging a plugin"):
#
#   gdb -x <prefix>/share/gauntlet/gauntlet.gdb -ex run --args \
#       gauntlet judge -c <challenge.yaml> build/libmy_model.so --limit 1000 --debug
#
# The judge starts several processes before your code runs: a short-lived probe of what the
# machine's sandbox offers, then the worker, which splits into a supervisor, the init of its
# pid namespace and the plugin process. gdb's follow-fork-mode would follow the first child
# only (the probe) and lose the rest; instead, stay attached to every process the judge starts
# and let them all run, and when one of the helpers exits, resume the judge rather than stop.
# A breakpoint (`break Model::infer`, made pending) or a crash then stops in the plugin process.
# Without --debug the judge would kill a plugin that sits at a breakpoint past its time limit.
set detach-on-fork off
set schedule-multiple on
set pagination off
set breakpoint pending on
python
import gdb


def _gauntlet_resume_after_helper_exit(event):
    # Inferior 1 is the judge: its own exit ends the session as usual.
    if event.inferior.num == 1:
        return

    def resume():
        try:
            gdb.execute("inferior 1", to_string=True)
            gdb.execute("continue")
        except gdb.error:
            pass  # the judge is gone too

    gdb.post_event(resume)


gdb.events.exited.connect(_gauntlet_resume_after_helper_exit)
end
