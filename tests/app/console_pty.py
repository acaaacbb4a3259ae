#!/usr/bin/python3
"""Interactive console (-i) on a pseudo-terminal, as an operator uses it:
prompt, TAB completion, a command's answer, an error, Ctrl-D ending the
process with status 0.  Also --cmdline-file: commands run at start.
    console_pty.py NONSTOP_BIN
"""
import os
import pty
import select
import subprocess
import sys
import tempfile
import time

nonstop = os.path.abspath(sys.argv[1])
failures = 0
passed = 0

INI = """[global]
idle = adaptive
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
mac = 02:00:00:00:00:02
[overlay.v]
role = encap
key = 7
group = 239.1.1.1
port = a
match = 198.51.100.10:5000
unicast = 192.0.2.9, 192.0.2.10
request_key = 0123456789abcdef
"""


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
        print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what)


def eal(prefix):
    return [nonstop, "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "--file-prefix", prefix,
            "-l", "0", "--log-level=lib.eal:error", "--vdev", "net_ring0", "--"]


def read_until(fd, token, timeout=10.0):
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if token in buf:
                return buf, True
    return buf, False


with tempfile.TemporaryDirectory() as tmp:
    ini = os.path.join(tmp, "c.ini")
    open(ini, "w").write(INI)

    master, slave = pty.openpty()
    p = subprocess.Popen(eal("pty-%d" % os.getpid()) + ["--config", ini, "-i", "--no-ctl"],
                         stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    try:
        out, ok = read_until(master, b"nonstop> ")
        check(ok, "prompt shown")
        os.write(master, b"sh\t")
        out, ok = read_until(master, b"show ")
        check(ok, "TAB completes 'sh' to 'show '")
        os.write(master, b"ver\t")
        out, ok = read_until(master, b"version")
        check(ok, "TAB completes 'show ver' to 'show version'")
        os.write(master, b"\r")
        out, ok = read_until(master, b"nonstop> ")
        check(b"nonstop 0.1.0 on DPDK" in out, "'show version' answers")
        os.write(master, b"show port info 0\r")
        out, ok = read_until(master, b"nonstop> ")
        check(b"192.0.2.2/24" in out and b"net_ring0" in out, "'show port info 0' shows the port")
        os.write(master, b"show port stats 9\r")
        out, ok = read_until(master, b"nonstop> ")
        check(b"no port '9'" in out, "bad port number is an error, not a crash")
        os.write(master, b"\x04")  # Ctrl-D on an empty line
        rc = p.wait(timeout=20)
        check(rc == 0, "Ctrl-D exits with status 0 (got %s)" % rc)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)

    # --cmdline-file: commands at start; the last one quits.
    cmds = os.path.join(tmp, "cmds")
    open(cmds, "w").write("show config\nshow counters all\nset tcp delack_ms 100\n"
                          "set tcp syncookies off\nset tcp delack_ms 900\nset tcp colour 1\n"
                          "show config\nquit\n")
    r = subprocess.run(eal("cmdf-%d" % os.getpid()) + ["--config", ini, "--cmdline-file", cmds,
                       "--no-ctl"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "--cmdline-file ending in quit exits 0 (got %d)" % r.returncode)
    check("[port.a]" in r.stdout and "dev = net_ring0" in r.stdout,
          "--cmdline-file ran 'show config'")
    check("net.ip_bad_cksum" in r.stdout, "--cmdline-file ran 'show counters all'")
    check("\n[repl]\nrole = none\n" in r.stdout, "'show config' shows [repl]")
    check("\n[overlay.v]\nrole = encap\nkey = 7\ngroup = 239.1.1.1\nport = a\n"
          "match = 198.51.100.10:5000\nttl = 16\nmtu = 1500\nmss_clamp = 0\n"
          "unicast = 192.0.2.9,192.0.2.10\naccept_requests = yes\n"
          "request_key = (not shown)\n" in r.stdout,
          "'show config' shows an overlay session with its role's keys, the key not shown")
    check("tcp delack_ms = 100" in r.stdout and "delack_ms = 100\n" in r.stdout.split("tcp delack_ms = 100")[1],
          "'set tcp delack_ms 100' applies and 'show config' shows it")
    check("syncookies = no" in r.stdout, "'set tcp syncookies off' applies")
    check("error: delack_ms: '900' is not in [1, 500]" in r.stdout, "out-of-range knob refused")
    check("error: unknown knob 'colour'" in r.stdout, "unknown knob refused with the list")

print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
