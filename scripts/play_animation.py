#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol for the animated SVG's tests.

usage: play_animation.py DIR FRAMES SECONDS
       play_animation.py --shots DIR WIDTH HEIGHT [--dark]

Real time (the first form): DIR holds anim.svg and still-0.svg … still-(FRAMES-1).svg. Each
is shown as <img src=…> on a page of its own; the stills are screenshotted first, then
anim.svg is loaded and screenshotted again and again for SECONDS. Prints one line per
screenshot of the animation: the time the screenshot was asked for and the time it came
back (ms after the page was asked to load), then the frames whose still screenshot it
equals pixel for pixel (none: "-").

Screenshots (--shots): DIR holds pages.txt, one page name a line, and NAME.html for each.
In one Chromium session (one process, one tab, a viewport of WIDTH × HEIGHT CSS pixels at
scale 1), each page is loaded in turn, on its own (never two on one page), and its
screenshot written to NAME.png once it has loaded and drawn (two screenshots in a row
alike), and its pixels, decoded, to NAME.rgba (8-bit RGBA, row by row). --dark starts Chromium with
--force-dark-mode (the page sees prefers-color-scheme: dark), as a dark desktop would.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe), so
nothing listens on a port. Needs chromium and Pillow.
"""
import base64, io, json, os, subprocess, sys, tempfile, time

commands_read, commands_write = os.pipe()
replies_read, replies_write = os.pipe()

def child():
    # Chromium reads commands on fd 3 and writes replies on fd 4 (dup'ed: inheritable).
    a, b = os.dup(commands_read), os.dup(replies_write)
    os.dup2(a, 3)
    os.dup2(b, 4)

def start_chromium(width, height, extra):
    profile = tempfile.mkdtemp(prefix="bpgraph-play-")
    chromium = next((c for c in ("chromium", "chromium-browser", "google-chrome")
                     if any(os.access(os.path.join(p, c), os.X_OK) for p in os.environ.get("PATH", "").split(":"))), None)
    if chromium is None:
        sys.exit("no chromium on PATH: scripts/setup installs it")
    process = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                "--force-device-scale-factor=1", "--user-data-dir=" + profile, "--remote-debugging-pipe",
                                "--window-size=%d,%d" % (width, height)] + extra + ["about:blank"],
                               preexec_fn=child, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(commands_read)
    os.close(replies_write)
    return process, profile

commands = replies = None
pending = b""
last_id = 0
events = []

def read_message():
    global pending
    while b"\0" not in pending:
        chunk = replies.read(65536)
        if not chunk:
            sys.exit("chromium closed the DevTools pipe")
        pending += chunk
    raw, pending = pending.split(b"\0", 1)
    return json.loads(raw)

def call(method, params=None, session=None):
    global last_id
    last_id += 1
    message = {"id": last_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    commands.write(json.dumps(message).encode() + b"\0")
    while True:
        reply = read_message()
        if reply.get("id") == last_id:
            return reply
        if "method" in reply:
            events.append(reply)

def wait_for(method, session, seconds=20):
    """Waits for the event `method` of `session` (events seen during calls count too)."""
    deadline = time.time() + seconds
    while True:
        for k, event in enumerate(events):
            if event["method"] == method and event.get("sessionId") == session:
                del events[:k + 1]
                return event
        events.clear()
        if time.time() > deadline:
            sys.exit("no %s within %d s" % (method, seconds))
        reply = read_message()
        if "method" in reply:
            events.append(reply)

def open_tab(width, height):
    target = call("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
    call("Page.enable", None, session)
    # The viewport exactly WIDTH × HEIGHT CSS pixels at scale 1, whatever the window's frame.
    call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
    return session

def load(session, url):
    """Navigates and returns once the page (its images too) has loaded."""
    events.clear()
    reply = call("Page.navigate", {"url": url}, session)
    if "error" in reply or reply.get("result", {}).get("errorText"):
        sys.exit("could not load %s: %s" % (url, reply))
    wait_for("Page.loadEventFired", session)

def capture(session):
    """The page's screenshot as PNG bytes, or None while a navigation has detached the page."""
    reply = call("Page.captureScreenshot", {"format": "png"}, session)
    if "result" not in reply:
        return None
    return base64.b64decode(reply["result"]["data"])

def stable(session, tries=20):
    """The screenshot once two in a row are the same (the page has finished drawing), or None."""
    last = capture(session)
    for _ in range(tries):
        shot = capture(session)
        if shot is not None and shot == last:
            return shot
        last = shot
    return None

def url(path):
    return "file://" + os.path.abspath(path)

def shots(directory, width, height, dark):
    from PIL import Image
    process, profile = start_chromium(width, height, ["--force-dark-mode"] if dark else [])
    try:
        session = open_tab(width, height)
        with open(os.path.join(directory, "pages.txt")) as f:
            names = [line.strip() for line in f if line.strip()]
        for name in names:
            load(session, url(os.path.join(directory, name + ".html")))
            png = stable(session)
            if png is None:
                sys.exit("no steady screenshot of %s" % name)
            with open(os.path.join(directory, name + ".png"), "wb") as f:
                f.write(png)
            image = Image.open(io.BytesIO(png)).convert("RGBA")
            if image.size != (width, height):
                sys.exit("the screenshot of %s is %d × %d, not %d × %d" % ((name,) + image.size + (width, height)))
            with open(os.path.join(directory, name + ".rgba"), "wb") as f:
                f.write(image.tobytes())
    finally:
        process.kill()
        process.wait()
        subprocess.run(["rm", "-rf", profile])

def play(directory, count, seconds):
    from PIL import Image
    def pixels(png):
        return None if png is None else Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    def page(name):
        path = os.path.join(directory, name + ".html")
        with open(path, "w") as f:
            f.write('<!doctype html><html><body style="margin:0;background:#fff"><img src="%s.svg" style="display:block"></body></html>' % name)
        return url(path)
    process, profile = start_chromium(900, 260, [])
    try:
        session = open_tab(900, 260)
        stills = []
        for k in range(count):
            load(session, page("still-%d" % k))
            shot = pixels(stable(session))
            if shot is None:
                sys.exit("no steady screenshot of still-%d" % k)
            stills.append(shot)
        start = time.time()
        call("Page.navigate", {"url": page("anim")}, session)
        while time.time() - start < seconds:
            asked = time.time() - start
            shot = pixels(capture(session))
            answered = time.time() - start
            if shot is not None:
                same = [k for k in range(count) if stills[k] == shot]
                print("%d %d %s" % (asked * 1000, answered * 1000, ",".join(map(str, same)) or "-"), flush=True)
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
        subprocess.run(["rm", "-rf", profile])

def main(argv):
    global commands, replies
    if argv[:1] == ["--shots"] and len(argv) in (4, 5):
        mode = "shots"
    elif len(argv) == 3 and not argv[0].startswith("-"):
        mode = "play"
    else:
        sys.exit(__doc__)
    commands = os.fdopen(commands_write, "wb", buffering=0)
    replies = os.fdopen(replies_read, "rb", buffering=0)
    if mode == "shots":
        shots(argv[1], int(argv[2]), int(argv[3]), argv[4:] == ["--dark"])
    else:
        play(argv[0], int(argv[1]), float(argv[2]))

if __name__ == "__main__":
    main(sys.argv[1:])
