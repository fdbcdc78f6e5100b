# SPDX-License-Identifier: GPL-2.0
"""The TAP writer of every Python test program.

Results go to stdout as they happen (the suite's log and the VM console)
and, given a path, to that file too; the plan comes last, so a program
that dies half way leaves a file tests/tap-summary counts as failed.
Diagnostics that are not TAP go to stderr through log().
"""

import sys


def log(msg):
    # stderr, so that a TAP stream on stdout stays clean
    print('# ' + msg, file=sys.stderr, flush=True)


class Tap:
    def __init__(self, path=None):
        self.n = 0
        self.failed = 0
        self.file = open(path, 'w') if path else None

    def line(self, text):
        print(text, flush=True)
        if self.file:
            self.file.write(text + '\n')
            self.file.flush()

    def ok(self, cond, name, diag=None):
        """One test; diag (any text, several lines) is shown only on
        failure.  Returns cond, so a caller can stop on a failure."""
        self.n += 1
        if not cond:
            self.failed += 1
        self.line('%s %d - %s' % ('ok' if cond else 'not ok', self.n, name))
        if not cond and diag:
            for text in str(diag).splitlines():
                self.line('#   ' + text)
        return cond

    def skip(self, name, why):
        self.n += 1
        self.line('ok %d - %s # SKIP %s' % (self.n, name, why))

    def drop(self):
        """Throw this run away: the file is closed without a plan, for a
        new Tap on the same path to replace."""
        if self.file:
            self.file.close()
            self.file = None

    def done(self):
        """Write the plan; the exit status for the program."""
        self.line('1..%d' % self.n)
        self.drop()
        return 1 if self.failed else 0
