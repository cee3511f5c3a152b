"""A fork server for the mutation run: pytest, ansible-core and the test libraries are imported once, and each
mutant's kill suite runs in a fresh fork of that process, so a mutant costs the tests, not the interpreter's start.

    python mutation_forkserver.py serve SOCKET           # scripts/lib/mutation.py starts it
    python mutation_forkserver.py run SOCKET PYTEST_ARGS  # mutmut's runner: exits with pytest's exit code

Nothing of the collection is imported before the fork: each run imports the files as they are on disk then,
mutated or not. A runner that goes away (mutmut's timeout) takes its fork with it.
"""
import json
import os
import select
import signal
import socket
import sys

PRELOADED = ('pytest', 'hypothesis', 'requests', 'werkzeug', 'pytest_httpserver', 'yaml', 'ansible.module_utils.basic',
             'ansible.plugins.loader', 'huaweicloudsdkcore.signer.signer', 'huaweicloudsdkcore.client')


def serve(path):
    for name in PRELOADED:
        try:
            __import__(name)
        except ImportError:
            pass
    import pytest  # pylint: disable=import-outside-toplevel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    while True:
        connection, dummy = listener.accept()
        with connection:
            request = json.loads(connection.makefile().readline())
            child = os.fork()
            if child == 0:
                listener.close()
                os.chdir(request['cwd'])
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                os._exit(int(pytest.main(request['args'])))  # pylint: disable=protected-access
            code = _wait(child, connection)
            try:
                connection.sendall(b'%d\n' % code)
            except OSError:  # the runner is gone (mutmut's timeout): nobody to tell
                pass


def _wait(child, connection):
    """The fork's exit code; the fork is killed when the runner hangs up first."""
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid:
            return os.waitstatus_to_exitcode(status) & 0xff
        readable, dummy, dummy = select.select([connection], [], [], 0.05)
        if readable and not connection.recv(1):
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return 1


def run(path, args):
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    connection.sendall((json.dumps(dict(cwd=os.getcwd(), args=args)) + '\n').encode())
    answer = connection.makefile().readline()
    return int(answer) if answer.strip() else 1


if __name__ == '__main__':
    if sys.argv[1] == 'serve':
        serve(sys.argv[2])
    sys.exit(run(sys.argv[2], sys.argv[3:]))
