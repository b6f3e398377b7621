#!/usr/bin/env python3
"""Writes golden.tfevents: the bytes a TensorBoard event file must have for a fixed, small sequence of events.

Independent of the C# writer: the TFRecord framing, masked CRC-32C and protobuf wire format are written out here from
TensorFlow's definitions (tensorflow/core/lib/io/record_writer.cc, tensorflow/core/lib/hash/crc32c.h, event.proto,
summary.proto) with the standard library only. Run: python3 make_golden.py (rewrites golden.tfevents and tiny.png).
The events (wall time 1700000000.5 s for all):
  0: file_version "brain.Event:2" (step 0, omitted as proto3's default)
  1: scalar "train/loss" = 0.25 at step 1
  2: scalars "a" = 1.5 and "b" = -2 at step 2 (one event)
  3: image "plots/tiny" = tiny.png (1 x 2 RGBA) at step 300
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value


def masked(data: bytes) -> int:
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(payload: bytes) -> bytes:
    length = struct.pack("<Q", len(payload))
    return length + struct.pack("<I", masked(length)) + payload + struct.pack("<I", masked(payload))


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field: int, wire: int) -> bytes:
    return varint(field << 3 | wire)


def ld(field: int, data: bytes) -> bytes:  # length-delimited
    return key(field, 2) + varint(len(data)) + data


def event(wall: float, step: int, body: bytes) -> bytes:
    out = key(1, 1) + struct.pack("<d", wall)
    if step:
        out += key(2, 0) + varint(step)
    return out + body


def scalar(tag: str, value: float) -> bytes:
    return ld(1, tag.encode()) + key(2, 5) + struct.pack("<f", value)


def png_rgba(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([255, 0, 0, 255] * width) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


wall = 1700000000.5
png = png_rgba(2, 1)
image = key(1, 0) + varint(1) + key(2, 0) + varint(2) + key(3, 0) + varint(4) + ld(4, png)
events = [
    event(wall, 0, ld(3, b"brain.Event:2")),
    event(wall, 1, ld(5, ld(1, scalar("train/loss", 0.25)))),
    event(wall, 2, ld(5, ld(1, scalar("a", 1.5)) + ld(1, scalar("b", -2.0)))),
    event(wall, 300, ld(5, ld(1, ld(1, b"plots/tiny") + ld(4, image)))),
]
with open(os.path.join(HERE, "tiny.png"), "wb") as f:
    f.write(png)
with open(os.path.join(HERE, "golden.tfevents"), "wb") as f:
    f.write(b"".join(record(e) for e in events))
