# SPDX-License-Identifier: GPL-2.0
"""A VNC viewer for the tests: QEMU's display refresh and its VNC server
run while one is connected, reading the guest's frame as a user's viewer
would make them."""

import socket
import struct
import threading
import time


class Vnc(threading.Thread):
    """A minimal RFB 3.8 viewer: no authentication, 32-bit true colour,
    raw encoding (the cheapest for QEMU to encode) and the desktop-size
    pseudo-encoding.  It asks for the next incremental update as soon as
    one arrives and counts updates and pixel bytes."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(60)
        self.s.connect(path)
        self.updates = self.rects = self.bytes = 0
        self.error = None
        self.buf = bytearray(1 << 20)
        self.handshake()

    def recv(self, n):
        out = b''
        while len(out) < n:
            d = self.s.recv(n - len(out))
            if not d:
                raise OSError('VNC server closed the connection')
            out += d
        return out

    def skip(self, n):
        view = memoryview(self.buf)
        while n:
            got = self.s.recv_into(view[:min(n, len(self.buf))])
            if not got:
                raise OSError('VNC server closed the connection')
            n -= got

    def handshake(self):
        if not self.recv(12).startswith(b'RFB 003.'):
            raise OSError('not an RFB server')
        self.s.sendall(b'RFB 003.008\n')
        types = self.recv(self.recv(1)[0])
        if 1 not in types:
            raise OSError('VNC server wants authentication: %r' % types)
        self.s.sendall(b'\x01')
        if struct.unpack('>I', self.recv(4))[0]:
            raise OSError('VNC security handshake failed')
        self.s.sendall(b'\x01')                 # shared
        self.w, self.h = struct.unpack('>HH', self.recv(4))
        self.recv(16)                           # the server's pixel format
        self.recv(struct.unpack('>I', self.recv(4))[0])
        # SetPixelFormat: 32 bpp, depth 24, little endian, true colour,
        # 8 bits each, red at 16, green at 8, blue at 0
        self.s.sendall(struct.pack('>B3xBBBBHHHBBB3x', 0, 32, 24, 0, 1,
                                   255, 255, 255, 16, 8, 0))
        # SetEncodings: raw, DesktopSize
        self.s.sendall(struct.pack('>BxHii', 2, 2, 0, -223))
        self.request(False)

    def request(self, incremental=True):
        self.s.sendall(struct.pack('>BBHHHH', 3, int(incremental), 0, 0,
                                   self.w, self.h))

    def run(self):
        try:
            self.s.settimeout(None)
            while True:
                kind = self.recv(1)[0]
                if kind == 0:           # FramebufferUpdate
                    n = struct.unpack('>xH', self.recv(3))[0]
                    for _ in range(n):
                        x, y, w, h, enc = struct.unpack('>HHHHi', self.recv(12))
                        if enc == 0:
                            self.skip(w * h * 4)
                            self.bytes += w * h * 4
                        elif enc == -223:
                            self.w, self.h = w, h
                        else:
                            raise OSError('unasked encoding %d' % enc)
                        self.rects += 1
                    self.updates += 1
                    self.request()
                elif kind == 2:         # Bell
                    pass
                elif kind == 3:         # ServerCutText
                    self.recv(3)
                    self.skip(struct.unpack('>I', self.recv(4))[0])
                else:
                    raise OSError('unknown server message %d' % kind)
        except OSError as e:
            self.error = e

    def counters(self):
        return self.updates, self.rects, self.bytes

    def watch(self, seconds):
        """Stay connected for @seconds; returns the updates received."""
        before = self.updates
        time.sleep(seconds)
        return self.updates - before

    def close(self):
        try:
            self.s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.s.close()
