#!/usr/bin/env python3
"""Plays an animated SVG inside <img> in headless Chromium, in real time, and names the
frame on screen in each screenshot.

usage: play_animation.py DIR FRAMES SECONDS

DIR holds anim.svg and still-0.svg … still-(FRAMES-1).svg. Each is shown as
<img src=…> on a page of its own; the stills are screenshotted first, then anim.svg is
loaded and screenshotted again and again for SECONDS. Prints one line per screenshot of
the animation: the time the screenshot was asked for and the time it came back (ms after
the page was asked to load), then the frames whose still screenshot it equals pixel for
pixel (none: "-"). Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe), so nothing listens on a port. Needs chromium and Pillow.
"""
import base64, io, json, os, subprocess, sys, tempfile, time
from PIL import Image

directory, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
commands_read, commands_write = os.pipe()
replies_read, replies_write = os.pipe()

def child():
    # Chromium reads commands on fd 3 and writes replies on fd 4 (dup'ed: inheritable).
    a, b = os.dup(commands_read), os.dup(replies_write)
    os.dup2(a, 3)
    os.dup2(b, 4)

profile = tempfile.mkdtemp(prefix="bpgraph-play-")
chromium = next((c for c in ("chromium", "chromium-browser", "google-chrome")
                 if any(os.access(os.path.join(p, c), os.X_OK) for p in os.environ.get("PATH", "").split(":"))), None)
if chromium is None:
    sys.exit("no chromium on PATH: scripts/setup installs it")
process = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            "--force-device-scale-factor=1", "--user-data-dir=" + profile, "--remote-debugging-pipe",
                            "--window-size=900,260", "about:blank"],
                           preexec_fn=child, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(commands_read)
os.close(replies_write)
commands = os.fdopen(commands_write, "wb", buffering=0)
replies = os.fdopen(replies_read, "rb", buffering=0)
pending = b""
last_id = 0

def call(method, params=None, session=None):
    global pending, last_id
    last_id += 1
    message = {"id": last_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    commands.write(json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in pending:
            chunk = replies.read(65536)
            if not chunk:
                sys.exit("chromium closed the DevTools pipe")
            pending += chunk
        raw, pending = pending.split(b"\0", 1)
        reply = json.loads(raw)
        if reply.get("id") == last_id:
            return reply

def screenshot(session):
    """The page's pixels, or None while a navigation has detached the page."""
    reply = call("Page.captureScreenshot", {"format": "png"}, session)
    if "result" not in reply:
        return None
    return Image.open(io.BytesIO(base64.b64decode(reply["result"]["data"]))).convert("RGB").tobytes()

def page(name):
    path = os.path.join(directory, name + ".html")
    with open(path, "w") as f:
        f.write('<!doctype html><html><body style="margin:0;background:#fff"><img src="%s.svg" style="display:block"></body></html>' % name)
    return "file://" + os.path.abspath(path)

try:
    target = call("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
    call("Page.enable", None, session)
    stills = []
    for k in range(count):
        call("Page.navigate", {"url": page("still-%d" % k)}, session)
        shot = None
        deadline = time.time() + 10
        while shot is None and time.time() < deadline:
            time.sleep(0.3)
            shot = screenshot(session)
        stills.append(shot)
    start = time.time()
    call("Page.navigate", {"url": page("anim")}, session)
    while time.time() - start < seconds:
        asked = time.time() - start
        shot = screenshot(session)
        answered = time.time() - start
        if shot is not None:
            same = [k for k in range(count) if stills[k] == shot]
            print("%d %d %s" % (asked * 1000, answered * 1000, ",".join(map(str, same)) or "-"), flush=True)
        time.sleep(0.05)
finally:
    process.kill()
    process.wait()
    subprocess.run(["rm", "-rf", profile])
