#!/usr/bin/python3
"""photo_make.py KIND OUT [W H] — the picture files of tests/e2e/photo.sh and
bench/photo.sh, made with python3-pil (Debian's).

KIND: good (a JPEG of W×H, default 307×378, quality 90), camera (a
noisy 4000×3000 JPEG of 2–4 MB, like a phone's), png (a PNG, whatever
the name says), small (100×123), wide (400×300), big (a 307×378 JPEG
over 60 KB: noise at quality 100), truncated (a good JPEG cut in half),
huge (a small JPEG whose header claims 20,000×20,000 pixels), badheader
(a JPEG whose frame header says 99-bit samples: libjpeg stops with a fatal
error), progressive (8000×6000 progressive: decoding it needs more memory
than jpeg.c allows)."""
import random
import struct
import sys

from PIL import Image, ImageDraw

kind, out = sys.argv[1], sys.argv[2]
w, h = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (307, 378)
seed = sum(map(ord, out))
rnd = random.Random(seed)


def scene(w, h):
    im = Image.new('RGB', (w, h), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    d = ImageDraw.Draw(im)
    for _ in range(40):
        x, y = rnd.randrange(w), rnd.randrange(h)
        d.ellipse([x, y, x + w // 4, y + h // 4],
                  fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    return im


def noisy(w, h):
    import os
    im = scene(w, h)
    # camera-like detail: noise blended over the scene
    noise = Image.frombytes('RGB', (w, h), os.urandom(w * h * 3))
    return Image.blend(im, noise, 0.25)


if kind == 'good':
    scene(w, h).save(out, 'JPEG', quality=90)
elif kind == 'camera':
    noisy(4000, 3000).save(out, 'JPEG', quality=rnd.choice([72, 76, 80]))
elif kind == 'png':
    scene(w, h).save(out, 'PNG')
elif kind == 'small':
    scene(100, 123).save(out, 'JPEG', quality=90)
elif kind == 'wide':
    scene(400, 300).save(out, 'JPEG', quality=90)
elif kind == 'big':
    noisy(w, h).save(out, 'JPEG', quality=100)
elif kind == 'truncated':
    import io
    b = io.BytesIO()
    scene(w, h).save(b, 'JPEG', quality=90)
    data = b.getvalue()
    open(out, 'wb').write(data[:len(data) // 2])
elif kind in ('huge', 'badheader'):
    import io
    b = io.BytesIO()
    scene(160, 160).save(b, 'JPEG', quality=90)
    data = bytearray(b.getvalue())
    i = 2
    while i < len(data):          # find SOF0: claim 20,000 × 20,000, or 99-bit samples
        marker, length = data[i + 1], struct.unpack('>H', data[i + 2:i + 4])[0]
        if marker == 0xC0:
            if kind == 'huge':
                data[i + 5:i + 9] = struct.pack('>HH', 20000, 20000)
            else:
                data[i + 4] = 99
            break
        i += 2 + length
    open(out, 'wb').write(data)
elif kind == 'progressive':
    Image.new('RGB', (8000, 6000), (120, 130, 140)).save(out, 'JPEG', quality=80, progressive=True)
else:
    sys.exit('unknown kind ' + kind)
