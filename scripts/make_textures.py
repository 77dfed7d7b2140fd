#!/usr/bin/env python3
"""Generates the repo's own example textures (CC0, made here) under assets/textures/.

Procedural 256x256 RGB PNGs for texture swaps (the material randomizer's texture_folder):
  checker.png   8x8 two-tone checkerboard
  stripes.png   diagonal stripes
  grain.png     wood-like rings with deterministic noise
  dots.png      a grid of dots on a plain ground
Run from the repo root:  python3 scripts/make_textures.py   (stdlib only; output is deterministic)
"""
import math
import os
import struct
import zlib

SIDE = 256


def png(path, pixel):
    rows = []
    for y in range(SIDE):
        row = bytearray([0])  # filter: none
        for x in range(SIDE):
            row.extend(pixel(x, y))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", SIDE, SIDE, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", raw))
        f.write(chunk(b"IEND", b""))


def noise(x, y):
    h = (x * 374761393 + y * 668265263) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 1274126177) & 0xFFFFFFFF
    return (h & 0xFFFF) / 65535.0


def main():
    out = os.path.join("assets", "textures")
    os.makedirs(out, exist_ok=True)
    png(os.path.join(out, "checker.png"),
        lambda x, y: (230, 225, 210) if ((x // 32) + (y // 32)) % 2 == 0 else (40, 45, 60))
    png(os.path.join(out, "stripes.png"),
        lambda x, y: (200, 60, 40) if ((x + y) // 24) % 2 == 0 else (240, 200, 60))

    def grain(x, y):
        r = math.hypot(x - 40, y - 300) / 9.0 + 0.8 * math.sin(y / 23.0) + 0.3 * noise(x // 3, y)
        t = 0.5 + 0.5 * math.sin(r)
        return (int(120 + 70 * t), int(75 + 45 * t), int(35 + 20 * t))

    png(os.path.join(out, "grain.png"), grain)
    png(os.path.join(out, "dots.png"),
        lambda x, y: (30, 110, 160) if math.hypot(x % 32 - 16, y % 32 - 16) < 8 else (225, 230, 235))
    print("wrote", ", ".join(sorted(os.listdir(out))), "to", out)


if __name__ == "__main__":
    main()
