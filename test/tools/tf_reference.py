"""Plain float64 Python implementations of TensorFlow's conv2d, max_pool and
avg_pool (NHWC, one image as a flat list), shared by the reference scripts."""


def window(n, k, s, padding):
    """TensorFlow's output size and padding before, for one dimension."""
    if padding == "SAME":
        out = -(-n // s)
        return out, max((out - 1) * s + k - n, 0) // 2
    return (n - k) // s + 1, 0


def conv(img, shape, w, kshape, strides, padding):
    H, W, C = shape
    KH, KW, _, CO = kshape
    (OH, top), (OW, left) = window(H, KH, strides[0], padding), window(W, KW, strides[1], padding)
    out = []
    for i in range(OH):
        for j in range(OW):
            for o in range(CO):
                total = 0.0
                for kh in range(KH):
                    for kw in range(KW):
                        h, v = i * strides[0] + kh - top, j * strides[1] + kw - left
                        if 0 <= h < H and 0 <= v < W:
                            for c in range(C):
                                total += img[(h * W + v) * C + c] * w[((kh * KW + kw) * C + c) * CO + o]
                out.append(total)
    return out, (OH, OW, CO)


def pool(img, shape, ksize, strides, padding, kind):
    H, W, C = shape
    (OH, top), (OW, left) = window(H, ksize[0], strides[0], padding), window(W, ksize[1], strides[1], padding)
    out = []
    for i in range(OH):
        for j in range(OW):
            for c in range(C):
                cells = [img[(h * W + v) * C + c]
                         for h in range(i * strides[0] - top, i * strides[0] - top + ksize[0])
                         for v in range(j * strides[1] - left, j * strides[1] - left + ksize[1])
                         if 0 <= h < H and 0 <= v < W]
                out.append(max(cells) if kind == "max" else sum(cells) / len(cells))
    return out, (OH, OW, C)
