"""DV (IEC 61834, 25 Mbit/s) compression and DV dropouts, plus a general lossy-codec stage (MPEG-2/H.264).

Both run FFmpeg's real encoders and decoders in memory through PyAV (the optional ``video`` extra:
``pip install filmdegrade[video]``).

DV raster: NTSC 720×480 4:1:1, PAL 720×576 4:2:0. A frame of another size is resized to the raster
(``cv2.INTER_AREA`` when shrinking, bicubic when enlarging), coded, decoded and resized back, so a crop or
a small image gets DV's artefacts at the scale of a full DV frame. RGB ↔ Y'CbCr uses BT.601 studio range
(Y' 16–235, Cb/Cr 16–240), chroma is subsampled with an area average and brought back bilinearly (as a
player does). Grey input is coded as luma with neutral chroma and only luma is returned.

DV dropouts: a run of consecutive video DIF blocks (80 bytes: 3-byte ID + 77 bytes of coefficients) of one
DIF sequence (one track) is zeroed in the compressed frame before decoding, as a tape dropout erases a
stretch of one track. FFmpeg's decoder then produces its own damage (wrong or missing blocks of the
shuffled macroblocks). ``dropout_mode="conceal"`` instead repeats the damaged 8×8 blocks from the previous
output frame (frozen blocks, as a deck's error concealment does); frame 0 has no previous frame and keeps
the decoder's output. The ``dropout`` mask marks the 8×8 blocks whose decoded pixels differ from the
undamaged decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import cv2
import numpy as np

from filmdegrade.effects.base import ClipContext, Transform, check_choice, check_range, sample_range
from filmdegrade.random import frame_rngs

__all__ = ["DV", "Codec", "CodecParams", "DVParams", "codec_roundtrip", "dv_raster", "dv_roundtrip"]

#: (width, height, pix_fmt, packet bytes, DIF sequences) per system (IEC 61834 / SMPTE 314M, M).
DV_RASTER = {"ntsc": (720, 480, "yuv411p", 120000, 10), "pal": (720, 576, "yuv420p", 144000, 12)}
_DIF_BLOCK, _DIF_SEQ_BLOCKS = 80, 150
#: Positions of the 135 video DIF blocks in a 150-block DIF sequence (after header, subcode, VAUX; one
#: audio block before every 15 video blocks).
VIDEO_DIF_BLOCKS = np.array([7 + 16 * i + j for i in range(9) for j in range(15)])
_RATE = {"ntsc": Fraction(30000, 1001), "pal": Fraction(25, 1)}

# BT.601 studio-range R'G'B' → Y'CbCr (rows Y, Cb, Cr; last column the offset in 8-bit code values).
_KR, _KB = 0.299, 0.114
_M601 = np.array([
    [219 * _KR, 219 * (1 - _KR - _KB), 219 * _KB, 16.0],
    [224 * -_KR / (2 * (1 - _KB)), 224 * -(1 - _KR - _KB) / (2 * (1 - _KB)), 224 * 0.5, 128.0],
    [224 * 0.5, 224 * -(1 - _KR - _KB) / (2 * (1 - _KR)), 224 * -_KB / (2 * (1 - _KR)), 128.0],
], np.float32)
_INV = np.linalg.inv(_M601[:, :3].astype(np.float64))
_M601_INV = np.hstack([_INV, -_INV @ _M601[:, 3:]]).astype(np.float32)


def _av() -> Any:
    try:
        import av
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("DV and codec transforms need PyAV: pip install filmdegrade[video]") from None
    return av


def dv_raster(system: str) -> tuple[int, int, str]:
    """``(width, height, pix_fmt)`` of the DV raster of ``system`` (``"ntsc"`` or ``"pal"``)."""
    w, h, fmt, _, _ = DV_RASTER[system]
    return w, h, fmt


def _resize(x: np.ndarray, w: int, h: int) -> np.ndarray:
    if x.shape[1] == w and x.shape[0] == h:
        return x
    shrink = w * h < x.shape[0] * x.shape[1]
    return cv2.resize(x, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)


def _to_planes(rgb: np.ndarray, pix_fmt: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # float R'G'B' [0, 1] → 8-bit studio-range planes (rounded, saturated) in one affine pass.
    h, w = rgb.shape[:2]
    cw, ch = (w // 4, h) if pix_fmt == "yuv411p" else (w // 2, h // 2)
    if rgb.ndim == 2 or rgb.shape[2] == 1:
        y8 = cv2.convertScaleAbs(rgb.reshape(h, w), alpha=219.0, beta=16.0)
        c8 = np.full((ch, cw), 128, np.uint8)
        return y8, c8, c8
    # One single-output transform per plane (a 3-output transform plus a split is ~3× slower). The chroma
    # area average is taken on R'G'B' before the (linear) matrix: the same average of Cb/Cr, on ¼ (4:1:1)
    # or ¼ (4:2:0) of the pixels, rounded once instead of twice.
    y8 = cv2.convertScaleAbs(cv2.transform(rgb, _M601[:1]))
    small = cv2.resize(rgb, (cw, ch), interpolation=cv2.INTER_AREA)
    return (y8, cv2.convertScaleAbs(cv2.transform(small, _M601[1:2])),
            cv2.convertScaleAbs(cv2.transform(small, _M601[2:3])))


def _from_planes(planes: list[np.ndarray], channels: int, out: np.ndarray | None = None) -> np.ndarray:
    # 8-bit planes → float R'G'B' (chroma brought back bilinearly, as a player does), into `out` if given.
    y = planes[0]
    h, w = y.shape
    if channels == 1:
        res = cv2.addWeighted(y, 1.0 / 219.0, y, 0.0, -16.0 / 219.0, dtype=cv2.CV_32F)
        if out is None:
            return res
        out.reshape(h, w)[...] = res
        return out
    cb = cv2.resize(planes[1], (w, h), interpolation=cv2.INTER_LINEAR)
    cr = cv2.resize(planes[2], (w, h), interpolation=cv2.INTER_LINEAR)
    ycc = cv2.merge([y, cb, cr]).astype(np.float32)
    if out is None:
        return cv2.transform(ycc, _M601_INV)
    res = cv2.transform(ycc, _M601_INV, dst=out)
    if not np.may_share_memory(res, out):  # pragma: no cover - OpenCV honours a matching dst
        out[...] = res
    return out


def _frame_from_planes(av: Any, planes: tuple[np.ndarray, ...], pix_fmt: str) -> Any:
    h, w = planes[0].shape
    fr = av.VideoFrame(w, h, pix_fmt)
    for dst, src in zip(fr.planes, planes, strict=True):
        if dst.line_size != src.shape[1]:  # rows padded for alignment
            buf = np.zeros((src.shape[0], dst.line_size), np.uint8)
            buf[:, : src.shape[1]] = src
            src = buf
        dst.update(np.ascontiguousarray(src).data.cast("B")[: dst.buffer_size])
    return fr


def _planes_of(frame: Any) -> list[np.ndarray]:
    out = []
    for pl in frame.planes:
        a = np.frombuffer(memoryview(pl), np.uint8)
        out.append(a.reshape(-1, pl.line_size)[: pl.height, : pl.width])
    return out


def corrupt_dif(packet: bytes, seq: int, block: int, n_blocks: int) -> bytes:
    """Zero the data bytes of ``n_blocks`` consecutive video DIF blocks of DIF sequence ``seq``.

    Starts at video block ``block`` (0–134). IDs are kept, so the decoder still finds the blocks.
    """
    buf = bytearray(packet)
    for b in range(block, min(block + n_blocks, len(VIDEO_DIF_BLOCKS))):
        off = (seq * _DIF_SEQ_BLOCKS + int(VIDEO_DIF_BLOCKS[b])) * _DIF_BLOCK
        buf[off + 3 : off + _DIF_BLOCK] = bytes(_DIF_BLOCK - 3)
    return bytes(buf)


def dv_roundtrip(
    frames: np.ndarray,
    system: str = "ntsc",
    dropouts: np.ndarray | None = None,
    *,
    conceal: bool = False,
    return_packets: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, list[bytes]]:
    """Code a float32 clip ``T×H×W×C`` (C in {1, 3}, [0, 1]) through FFmpeg's DV encoder and decoder.

    Parameters
    ----------
    frames : numpy.ndarray
        Clip in [0, 1].
    system : {"ntsc", "pal"}
        DV raster (see module docstring).
    dropouts : numpy.ndarray, (K, 4), optional
        Rows ``(frame, DIF sequence, first video DIF block, number of blocks)``.
    conceal : bool
        Repeat damaged 8×8 blocks from the previous output frame.
    return_packets : bool
        Also return the (possibly damaged) compressed frames.

    Returns
    -------
    out : numpy.ndarray, float32, same shape
    mask : numpy.ndarray, float32, ``T×H×W``
        Damaged blocks (1), resized to the image.
    packets : list of bytes (only with ``return_packets``)
    """
    av = _av()
    w, h, pix_fmt, _, n_seq = DV_RASTER[system]
    t_n, ih, iw, ch = frames.shape
    enc = av.CodecContext.create("dvvideo", "w")
    enc.width, enc.height, enc.pix_fmt = w, h, pix_fmt
    enc.time_base = 1 / _RATE[system]
    enc.framerate = _RATE[system]
    enc.thread_count = 1
    dec = av.CodecContext.create("dvvideo", "r")
    dec.thread_count = 1
    out = np.empty_like(frames)
    mask = np.zeros((t_n, ih, iw), np.float32)
    packets: list[bytes] = []
    prev: np.ndarray | None = None
    drops = np.zeros((0, 4)) if dropouts is None else np.asarray(dropouts)
    for t in range(t_n):
        x = _resize(np.ascontiguousarray(frames[t]), w, h)
        vf = _frame_from_planes(av, _to_planes(x, pix_fmt), pix_fmt)
        vf.pts = t
        pk = b"".join(bytes(p) for p in enc.encode(vf))
        mine = drops[drops[:, 0] == t]
        damaged = pk
        for _, seq, blk, n in mine:
            damaged = corrupt_dif(damaged, int(seq) % n_seq, int(blk), int(n))
        packets.append(damaged)
        planes = [p.copy() for p in _planes_of(dec.decode(av.Packet(damaged))[0])]
        if len(mine):
            clean = _planes_of(dec.decode(av.Packet(pk))[0])
            m8 = np.zeros((h, w), bool)
            for k in range(3):  # damaged pixels of every plane, on the luma raster
                d = planes[k] != clean[k]
                m8 |= np.repeat(np.repeat(d, h // d.shape[0], 0), w // d.shape[1], 1)
            blocks = m8.reshape(h // 8, 8, w // 8, 8).any(axis=(1, 3))  # whole 8×8 luma blocks
            m8 = np.repeat(np.repeat(blocks, 8, 0), 8, 1)
            if conceal and prev is not None:
                planes[0][m8] = prev[0][m8]
                for k in (1, 2):  # chroma planes: their own block grid
                    sh, sw = planes[k].shape
                    mk = cv2.resize(m8.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST) > 0
                    planes[k][mk] = prev[k][mk]
            mask[t] = cv2.resize(m8.astype(np.float32), (iw, ih), interpolation=cv2.INTER_NEAREST)
        prev = planes
        if (iw, ih) == (w, h):
            _from_planes(planes, ch, out=out[t])
        else:
            out[t] = _resize(_from_planes(planes, ch), iw, ih).reshape(ih, iw, ch)
        np.clip(out[t], 0.0, 1.0, out=out[t])  # per frame, while it is in cache
    return (out, mask, packets) if return_packets else (out, mask)


@dataclass(frozen=True)
class DVParams:
    """Sampled parameters of :class:`DV`."""

    system: str
    dropouts: np.ndarray
    conceal: bool


class DV(Transform):
    """DV compression through FFmpeg's ``dvvideo`` encoder/decoder, with DV tape dropouts.

    Parameters
    ----------
    system : {"ntsc", "pal"}, optional
        DV raster: NTSC 720×480 4:1:1 or PAL 720×576 4:2:0. Default: from the medium's tape (``dv`` →
        NTSC, ``dv_pal`` → PAL, an analog format → its system), else NTSC.
    dropouts_per_s : float or (float, float)
        Mean number of dropout events per second (Poisson per frame). Default 1.0 (estimated, E).
    dropout_blocks : int or (int, int)
        Consecutive video DIF blocks (77 coefficient bytes each) lost per event; sampled per event.
        Default (1, 20) (estimated, E).
    dropout_mode : {"corrupt", "conceal"}
        Let the decoder show the damage, or repeat the damaged blocks from the previous frame.
    p : float
        Probability of applying the transform.
    """

    name = "dv"
    mask_names = ("dropout",)
    params_cls = DVParams
    min_size = 2

    def __init__(
        self,
        system: str | None = None,
        *,
        dropouts_per_s: float | tuple[float, float] = 1.0,
        dropout_blocks: int | tuple[int, int] = (1, 20),
        dropout_mode: str = "corrupt",
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.system = None if system is None else check_choice("system", system, ("ntsc", "pal"))
        self.dropouts_per_s = check_range("dropouts_per_s", dropouts_per_s, 0.0, 10000.0)
        self.dropout_blocks = check_range("dropout_blocks", dropout_blocks, 1, 135, integer=True)
        self.dropout_mode = check_choice("dropout_mode", dropout_mode, ("corrupt", "conceal"))

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> DVParams:
        """Draw the dropout events of every frame."""
        _av()
        system = self.system
        if system is None:
            system = ctx.medium.tape_info.system if ctx.medium.tape is not None else "ntsc"
        frs = frame_rngs(rng, ctx.n_frames)
        rate = sample_range(rng, self.dropouts_per_s) / float(_RATE[system])
        lo, hi = self.dropout_blocks if isinstance(self.dropout_blocks, tuple) else (self.dropout_blocks,) * 2
        n_seq = DV_RASTER[system][4]
        ev = []
        for t, fr in enumerate(frs):
            n = int(fr.poisson(rate))
            for _ in range(n):
                ev.append([t, int(fr.integers(n_seq)), int(fr.integers(135)), int(fr.integers(lo, hi + 1))])
        return DVParams(system=system, dropouts=np.asarray(ev, np.int64).reshape(-1, 4),
                        conceal=self.dropout_mode == "conceal")

    def apply(self, frames: np.ndarray, params: DVParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """DV round trip of every frame (see :func:`dv_roundtrip`)."""
        out, mask = dv_roundtrip(frames, params.system, params.dropouts, conceal=params.conceal)
        return out, {"dropout": mask}


# --- general lossy codec ------------------------------------------------------------------------------
_CODECS = {"mpeg2": "mpeg2video", "h264": "libx264"}


def codec_roundtrip(
    frames: np.ndarray, codec: str, bitrate_bps: float, gop: int, fps: float = 29.97
) -> np.ndarray:
    """Code a float32 clip ``T×H×W×C`` as one stream and decode it.

    ``codec`` is ``"mpeg2"`` or ``"h264"``: 4:2:0, constant average bitrate, no B-frames so that every
    frame depends only on earlier ones.

    Odd sizes are padded by one replicated row/column for 4:2:0 and cropped back.
    """
    av = _av()
    t_n, h, w, ch = frames.shape
    ph, pw = h + (h % 2), w + (w % 2)
    if ph < 16 or pw < 16:
        ph, pw = max(ph, 16), max(pw, 16)
    enc = av.CodecContext.create(_CODECS[codec], "w")
    enc.width, enc.height, enc.pix_fmt = pw, ph, "yuv420p"
    rate = _frame_rate(fps)
    enc.time_base, enc.framerate = 1 / rate, rate
    enc.bit_rate = int(bitrate_bps)
    enc.gop_size = gop
    enc.max_b_frames = 0
    enc.thread_count = 1
    if codec == "h264":
        # zerolatency: no lookahead/mb-tree, so the rate control only uses the past (causal, prefix-stable).
        enc.options = {"preset": "veryfast", "tune": "zerolatency", "threads": "1"}
    dec = av.CodecContext.create(_CODECS[codec].replace("libx264", "h264"), "r")
    dec.thread_count = 1
    decoded: list[list[np.ndarray]] = []

    def take(pkts: list[Any]) -> None:
        for pk in pkts:
            for fr in dec.decode(pk):
                decoded.append([p.copy() for p in _planes_of(fr)])

    for t in range(t_n):
        x = cv2.copyMakeBorder(np.ascontiguousarray(frames[t]), 0, ph - h, 0, pw - w, cv2.BORDER_REPLICATE)
        vf = _frame_from_planes(av, _to_planes(x, "yuv420p"), "yuv420p")
        vf.pts = t
        take(list(enc.encode(vf)))
    take(list(enc.encode(None)))
    take([None])  # flush the decoder
    if len(decoded) != t_n:  # pragma: no cover - would be an FFmpeg behaviour change
        raise RuntimeError(f"{codec} decoder returned {len(decoded)} frames for {t_n}")
    out = np.empty_like(frames)
    for t, planes in enumerate(decoded[:t_n]):
        out[t] = _from_planes(planes, ch).reshape(ph, pw, ch)[:h, :w]
    np.clip(out, 0.0, 1.0, out=out)
    return out


_STANDARD_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                   Fraction(50), Fraction(60000, 1001), Fraction(60)]


def _frame_rate(fps: float) -> Fraction:
    # MPEG-2 only codes the standard rates: snap 29.97 to 30000/1001 and so on.
    best = min(_STANDARD_RATES, key=lambda r: abs(float(r) - fps))
    return best if abs(float(best) - fps) < 0.01 else Fraction(fps).limit_denominator(1001)


@dataclass(frozen=True)
class CodecParams:
    """Sampled parameters of :class:`Codec`."""

    codec: str
    bitrate_bps: float
    gop: int
    fps: float


class Codec(Transform):
    """A lossy transfer codec (MPEG-2 or H.264 at a bitrate), one codec and bitrate per clip.

    Parameters
    ----------
    codec : str or tuple of str
        ``"mpeg2"``, ``"h264"``, or a tuple of them to choose from per clip. Default both.
    bitrate_mbps : float or (float, float)
        Average bitrate, Mbit/s, for a frame of ``reference_size`` at ``fps``; other frame sizes get the
        same bits per pixel. Default (1.0, 6.0) (DVD-like MPEG-2 and web H.264 range, estimated).
    reference_size : (int, int)
        ``(width, height)`` the bitrate refers to, px. Default (720, 480).
    gop : int
        Key-frame interval, frames. Default 15.
    fps : float
        Frame rate, Hz. Default 29.97.
    p : float
        Probability of applying the transform.
    """

    name = "codec"
    params_cls = CodecParams

    def __init__(
        self,
        codec: str | tuple[str, ...] = ("mpeg2", "h264"),
        *,
        bitrate_mbps: float | tuple[float, float] = (1.0, 6.0),
        reference_size: tuple[int, int] = (720, 480),
        gop: int = 15,
        fps: float = 29.97,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        codecs = (codec,) if isinstance(codec, str) else tuple(codec)
        if not codecs:
            raise ValueError("codec must name at least one of mpeg2, h264")
        for c in codecs:
            check_choice("codec", c, tuple(_CODECS))
        self.codec = codec if isinstance(codec, str) else codecs
        self.bitrate_mbps = check_range("bitrate_mbps", bitrate_mbps, 0.001, 200.0)
        if len(reference_size) != 2:
            raise ValueError(f"reference_size must be (width, height), got {reference_size!r}")
        self.reference_size = tuple(
            check_range("reference_size", v, 16, 16384, integer=True) for v in reference_size
        )
        self.gop = check_range("gop", gop, 1, 1000, integer=True)
        self.fps = check_range("fps", fps, 1.0, 240.0)

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> CodecParams:
        """Choose the codec and bitrate of the clip."""
        _av()
        codecs = (self.codec,) if isinstance(self.codec, str) else self.codec
        c = codecs[int(rng.integers(len(codecs)))]
        mbps = sample_range(rng, self.bitrate_mbps)
        area = ctx.width * ctx.height / (self.reference_size[0] * self.reference_size[1])
        return CodecParams(codec=c, bitrate_bps=mbps * 1e6 * area, gop=self.gop, fps=self.fps)

    def apply(self, frames: np.ndarray, params: CodecParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Encode and decode the clip (see :func:`codec_roundtrip`)."""
        return codec_roundtrip(frames, params.codec, params.bitrate_bps, params.gop, params.fps), {}

