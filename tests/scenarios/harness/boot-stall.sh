# harness: kernel-args=rdinit=/bin/sleep -- 1000
# harness: boot-limit=1
# harness: expect=boot-stall
# A kernel that never starts /init (here its init is `sleep`) is stopped at
# the boot limit rather than waited for until the timeout, and booted once
# more, as a guest of Debian's kernel that stalled while booting in CI was.
# This script never runs.
exit 1
