#!/usr/bin/env python3
"""The smoke test's side of the guest's serial console (expect-like; every wait bounded).

Connects to QEMU's serial socket, logs every byte to LOG, logs in as root (handling the forced
password change of a fresh image), runs the checks below and prints one line per check. Exit 0 only
if all pass. Usage: console.py SOCKET LOG PEER_PUBLIC_KEY ROOT_PASSWORD NEW_PASSWORD
"""
import re
import socket
import sys
import time

sock_path, log_path, peer_pub, password, new_password = sys.argv[1:6]
t0 = time.monotonic()
log = open(log_path, "ab", buffering=0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(100):
    try:
        s.connect(sock_path)
        break
    except OSError:
        time.sleep(0.1)
s.settimeout(1.0)
buf = ""
results = []


def elapsed():
    return time.monotonic() - t0


def expect(patterns, timeout):
    """Waits until one of the regexes matches the unread output; returns (index, match)."""
    global buf
    end = time.monotonic() + timeout
    while True:
        for i, p in enumerate(patterns):
            m = re.search(p, buf)
            if m:
                buf = buf[m.end():]
                return i, m
        if time.monotonic() > end:
            raise TimeoutError("no %r within %d s; last output: %r" % (patterns, timeout, buf[-300:]))
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if not data:
            raise EOFError("console closed (QEMU exited?)")
        log.write(data)
        buf = (buf + data.decode("utf-8", "replace"))[-200000:]


def send(text):
    s.sendall(text.encode())


def run(command, timeout=120):
    """Runs a shell command on the guest; returns (exit status, output). The markers are printed
    with printf so that the terminal's echo of the command line never matches them."""
    global buf
    buf = ""
    send("printf '@@%%s@@\\n' BEGIN; %s; printf '@@RC=%%s@@\\n' $?\r" % command)
    _, m = expect([re.compile(r"@@BEGIN@@\r?\n(.*?)@@RC=(\d+)@@", re.S)], timeout)
    return int(m.group(2)), m.group(1).replace("\r", "").strip()


def check(name, ok, detail=""):
    results.append(ok)
    print("  %s [%4.0fs] %s%s" % ("ok  " if ok else "FAIL", elapsed(), name,
                                  ("\n" + "\n".join("       " + l for l in detail.splitlines()[-25:])) if detail and not ok else
                                  ("  (%s)" % detail.splitlines()[0][:150] if detail else "")), flush=True)
    return ok


try:
    expect([r"login: $", r"login:"], 1200)
    boot_s = elapsed()
    check("booted to the serial login prompt", True, "%.0f s after QEMU started" % boot_s)
    send("root\r")
    expect([r"[Pp]assword: ?$", r"[Pp]assword:"], 120)
    send(password + "\r")
    i, _ = expect([r"[Cc]urrent password: ?", r"\n[^\n]*[#$] $", r"Login incorrect"], 120)
    if i == 2:
        raise RuntimeError("root login refused")
    if i == 0:  # a fresh image: root's password is expired, choose a new one
        send(password + "\r")
        expect([r"[Nn]ew password: ?"], 60)
        send(new_password + "\r")
        expect([r"[Rr]etype new password: ?"], 60)
        send(new_password + "\r")
        expect([r"\n[^\n]*[#$] $"], 120)
        check("first login: the expired default password had to be changed", True)
    send("dmesg -n 1; bind 'set enable-bracketed-paste off'; export TERM=dumb PAGER=cat SYSTEMD_PAGER=cat; stty cols 250\r")
    time.sleep(1)

    rc, out = run("systemctl is-system-running --wait", 600)
    check("systemd finished starting (is-system-running: %s)" % out.splitlines()[-1] if out else "?", True, out)
    rc, out = run("braid --version", 180)
    check("braid --version", rc == 0 and out.startswith("braid "), out)
    rc, out = run("systemctl is-active braid", 60)
    check("with the placeholder config braid.service is inactive, not failed", out.strip() == "inactive", out)
    rc, out = run("journalctl -b -u braid --no-pager -o cat | grep -E 'public key|placeholder'", 60)
    check("the journal gives this site's public key and says what to edit",
          rc == 0 and "public key is" in out and "placeholder" in out, out)
    rc, out = run("stat -c %a /etc/braid/private.key", 30)
    check("first boot made /etc/braid/private.key with mode 600", out.strip() == "600", out)

    # The operator's edit: the other site's public key and a peer address that does not answer.
    rc, out = run("sed -i -e 's#PASTE-PEER-PUBLIC-KEY-HERE#%s#' -e 's#^  endpoint: .*#  endpoint: 10.0.2.200:51820#' "
                  "/etc/braid/braid.yaml && grep -c '^workers: auto' /etc/braid/braid.yaml" % peer_pub, 30)
    check("config edited: peer key, endpoint; workers: auto", rc == 0, out)
    rc, out = run("braid check /etc/braid/braid.yaml", 300)
    check("braid check /etc/braid/braid.yaml", rc == 0, out)
    t_start = elapsed()
    rc, out = run("systemctl start braid; systemctl is-active braid", 600)
    up = False
    end = time.monotonic() + 600
    while time.monotonic() < end:
        rc, out = run("journalctl -b -u braid --no-pager -o cat | grep -E 'site [a-z0-9-]+ up|Failed|error' | tail -3", 120)
        if re.search(r"site [a-z0-9-]+ up", out) or "Failed" in out:
            up = "Failed" not in out
            break
        time.sleep(5)
    check("the supervisor brought the site up under systemd's sandbox", up, out)
    start_s = elapsed() - t_start
    rc, out = run("systemctl is-active braid", 60)
    check("systemctl is-active braid: active (paths down: the peer does not exist)", out.strip() == "active", out)
    rc, out = run("braid status", 300)
    check("braid status", rc == 0 and "site" in out, out)
    print("\n".join("       " + l for l in out.splitlines()[:30]), flush=True)
    rc, out = run("ip -o link show | grep -c 'braid[0-9]'; sysctl -n net.ipv4.ip_forward", 60)
    f = out.split()
    check("worker TUNs exist and ip_forward was set while running", len(f) == 2 and f[0] != "0" and f[1] == "1", out)
    rc, out = run("ip route show table all proto 98 | grep -c .", 60)
    check("Braid's routes while running (main table and ICMP's, unreachable: no path is up)",
          out.strip() not in ("", "0"), out)
    rc, out = run("systemctl stop braid; systemctl is-active braid; ip -o link show | grep -c 'braid[0-9]'; "
                  "sysctl -n net.ipv4.ip_forward; journalctl -b -u braid --no-pager -o cat | grep -c 'could not be undone'; "
                  "ip route show table all proto 98 | grep -c .; ip rule show | grep -c 'proto 98'", 300)
    f = out.split()
    check("systemctl stop braid: inactive, TUNs gone, ip_forward restored to 0, nothing left undone, "
          "no route or rule of Braid's (proto 98) in any table",
          f[:6] == ["inactive", "0", "0", "0", "0", "0"], out)
    rc, out = run("journalctl -b -u braid --no-pager -o cat | tail -n 40", 60)
    print("       --- journalctl -u braid (last lines)\n" + "\n".join("       " + l for l in out.splitlines()[-40:]), flush=True)
    print("BOOT_SECONDS=%.0f BRAID_START_SECONDS=%.0f" % (boot_s, start_s), flush=True)
except Exception as e:  # a timeout or closed console: one clear line, the log has the rest
    check("console dialog: %s" % e, False)
finally:
    try:
        send("poweroff\r")
    except OSError:
        pass
    s.close()
sys.exit(0 if results and all(results) else 1)
