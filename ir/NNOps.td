//===- NNOps.td - the ops of the nn dialect ----------------*- tablegen -*-===//
//
// One op per op of the .nn language (docs/language.md). Shapes are checked by
// each op's `inferReturnTypes` (ir/NNOps.cpp): the same function computes the
// result type when the frontend builds an op, re-computes it when the batch
// dimension is specialised, and verifies parsed IR.
//
//===----------------------------------------------------------------------===//

#ifndef NN_OPS_TD
#define NN_OPS_TD

include "NNDialect.td"
include "NNInterfaces.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_FloatTensor : RankedTensorOf<[F32]>;
def NN_AnyTensor : RankedTensorOf<[F32, I64, I1]>;
def NN_BoolTensor : RankedTensorOf<[I1]>;
def NN_IndexTensor : RankedTensorOf<[I64]>;
def NN_Scalar : 0DTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// Constants and variables
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "a constant tensor";
  let description = [{
    A tensor whose value is known at compile time: the literals of a `.nn`
    expression (`x / 255.0` makes a scalar constant).

    ```mlir
    %c = nn.constant dense<2.550000e+02> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

def NN_VariableOp : NN_Op<"variable", [Symbol]> {
  let summary = "a variable (trainable) or const (frozen) tensor, with its initializer";
  let description = [{
    A tensor that lives across calls of the program's functions, like
    `tf.Variable`. The runtime allocates and initialises it: `initializer` is
    one of `zeros`, `ones`, `fill`, `constant`, `truncated_normal`, `normal`,
    `uniform` (`load("F.npy")` becomes `constant` when `nnc` reads the file),
    and `params` holds its arguments (`value`, `stddev`, `low`, `high`).
    A `const` variable is not trained.

    ```mlir
    nn.variable @w : tensor<784x10xf32> = "truncated_normal" {stddev = 1.000000e-01 : f64}
    nn.variable const @edges : tensor<2xf32> = "constant" {value = dense<[1.0, -1.0]> : tensor<2xf32>}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttr:$type,
                       StrAttr:$initializer, DictionaryAttr:$params,
                       UnitAttr:$is_const);
  let assemblyFormat = [{
    (`const` $is_const^)? $sym_name `:` $type `=` $initializer $params attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

def NN_ReadOp : NN_Op<"read",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
     MemoryEffects<[MemRead]>]> {
  let summary = "reads the current value of a variable";
  let description = [{
    ```mlir
    %w = nn.read @w : tensor<784x10xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$variable);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$variable attr-dict `:` type($result)";
}

def NN_AssignOp : NN_Op<"assign",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
     MemoryEffects<[MemWrite]>]> {
  let summary = "gives a variable a new value";
  let description = [{
    Like `tf.assign`: later reads of the variable see `value`. The optimizer
    writes its updates this way.

    ```mlir
    nn.assign @w, %new_w : tensor<784x10xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$variable, NN_FloatTensor:$value);
  let assemblyFormat = "$variable `,` $value attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// Binary ops broadcast their operands with NumPy's rule: shapes are aligned on
// the right; each pair of dimensions must be equal or one of them 1.
class NN_BroadcastBinaryOp<string mnemonic, Type operandType, Type resultType,
                           string formula, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>])> {
  let summary = "elementwise `" # formula # "` with NumPy broadcasting";
  let description = [{
    Computes `}] # formula # [{` for each element of the broadcast shape of
    `lhs` and `rhs`.

    ```mlir
    %r = nn.}] # mnemonic # [{ %a, %b : (tensor<100x10xf32>, tensor<10xf32>) -> tensor<100x10x}] #
    !if(!eq(resultType, NN_BoolTensor), "i1", "f32") # [{>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_AddOp : NN_BroadcastBinaryOp<"add", NN_FloatTensor, NN_FloatTensor, "lhs + rhs", [Commutative]>;
def NN_SubOp : NN_BroadcastBinaryOp<"sub", NN_FloatTensor, NN_FloatTensor, "lhs - rhs">;
def NN_MulOp : NN_BroadcastBinaryOp<"mul", NN_FloatTensor, NN_FloatTensor, "lhs * rhs", [Commutative]>;
def NN_DivOp : NN_BroadcastBinaryOp<"div", NN_FloatTensor, NN_FloatTensor, "lhs / rhs">;
def NN_PowOp : NN_BroadcastBinaryOp<"pow", NN_FloatTensor, NN_FloatTensor, "lhs ^ rhs">;
def NN_MaximumOp : NN_BroadcastBinaryOp<"maximum", NN_FloatTensor, NN_FloatTensor, "max(lhs, rhs)", [Commutative]>;
def NN_MinimumOp : NN_BroadcastBinaryOp<"minimum", NN_FloatTensor, NN_FloatTensor, "min(lhs, rhs)", [Commutative]>;
def NN_EqualOp : NN_BroadcastBinaryOp<"equal", NN_AnyTensor, NN_BoolTensor, "lhs == rhs", [Commutative]>;
def NN_GreaterOp : NN_BroadcastBinaryOp<"greater", NN_AnyTensor, NN_BoolTensor, "lhs > rhs">;
def NN_LessOp : NN_BroadcastBinaryOp<"less", NN_AnyTensor, NN_BoolTensor, "lhs < rhs">;

class NN_UnaryOp<string mnemonic, string formula>
    : NN_Op<mnemonic, [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "elementwise `" # formula # "`";
  let description = [{
    Computes `}] # formula # [{` for each element.

    ```mlir
    %y = nn.}] # mnemonic # [{ %x : tensor<100x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
}

def NN_NegOp : NN_UnaryOp<"neg", "-x">;
def NN_AbsOp : NN_UnaryOp<"abs", "|x|">;
def NN_SquareOp : NN_UnaryOp<"square", "x * x">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)">;
def NN_ExpOp : NN_UnaryOp<"exp", "e^x">;
def NN_LogOp : NN_UnaryOp<"log", "ln(x)">;
def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)">;
def NN_StepOp : NN_UnaryOp<"step", "x > 0 ? 1 : 0">;

def NN_DropoutOp : NN_Op<"dropout", [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "keeps each element with probability keep_prob, scaled by 1/keep_prob";
  let description = [{
    `tf.nn.dropout` of a train step: element `i` is kept when the
    counter-based generator Philox4x32-10 says so, and then scaled by
    `1 / keep_prob` so that the expected value is unchanged:

        w  = philox4x32(counter = (i, stream, step, step >> 32), key = seed)[0]
        y[i] = (w >> 8) < round(keep_prob * 2^24) ? x[i] / keep_prob : 0

    `seed` and `step` are the train program's `--seed` and the step number,
    which the runtime stores in `nnrt_dropout_key` before each step, so a run
    is reproducible and a resumed run draws the same masks. `stream` tells
    the dropout ops of one model apart (nnc uses the source position).
    Given the mask, dropout is linear in `x`: its gradient is the dropout of
    `g` with the same stream, which redraws the same mask. Infer and
    evaluation functions never contain it (MLIRGen emits `x` there).

    ```mlir
    %y = nn.dropout %x {keep_prob = 5.000000e-01 : f64, stream = 1638412 : i64} : tensor<50x1024xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, F64Attr:$keep_prob, I64Attr:$stream);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let hasVerifier = 1;
}

def NN_CastOp : NN_Op<"cast", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "converts each element to another element type";
  let description = [{
    Like `tf.cast`: `true` becomes 1.0, indices become floats, floats are
    truncated towards zero when cast to `i64`, and compared with 0 for `i1`.

    ```mlir
    %f = nn.cast %b {to = f32} : (tensor<100xi1>) -> tensor<100xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$x, TypeAttr:$to);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Activations with structure, linear algebra and shapes
//===----------------------------------------------------------------------===//

def NN_SoftmaxOp : NN_Op<"softmax", [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "softmax over the last axis";
  let description = [{
    `y[..., i] = e^(x[..., i] - m) / sum_j e^(x[..., j] - m)`, with `m` the
    maximum over the last axis so that no `e^` overflows.

    ```mlir
    %p = nn.softmax %logits : tensor<100x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let hasVerifier = 1;
}

def NN_LogSoftmaxOp : NN_Op<"log_softmax", [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "log of softmax over the last axis, computed stably";
  let description = [{
    `y = x - lse(x)` with `lse(x) = m + log(sum(e^(x - m)))`, `m = max(x)`
    over the last axis. Not written by users: `nn-simplify` turns
    `log(softmax(x))` into it, so that no `log` sees a softmax that
    underflowed to 0 and the gradient is `g - softmax(x) * sum(g)` (which is
    `p - t` for the cross-entropy of one-hot labels).

    ```mlir
    %l = nn.log_softmax %logits : tensor<100x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
}

def NN_MatmulOp : NN_Op<"matmul", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "matrix product of two 2-D tensors";
  let description = [{
    `c[i, j] = sum_k a[i, k] * b[k, j]`.

    ```mlir
    %c = nn.matmul %a, %b : (tensor<100x784xf32>, tensor<784x10xf32>) -> tensor<100x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_TransposeOp : NN_Op<"transpose", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "permutes the dimensions of a tensor";
  let description = [{
    `result` dimension `i` is `x` dimension `perm[i]`.

    ```mlir
    %t = nn.transpose %w {perm = array<i64: 1, 0>} : (tensor<784x10xf32>) -> tensor<10x784xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$x, DenseI64ArrayAttr:$perm);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the same elements in row-major order, in another shape";
  let description = [{
    `shape` may hold one `-1`, the dimension that makes the element counts
    agree. When `x` has the batch dimension `?`, the `-1` must be the first
    dimension and stand for the batch.

    ```mlir
    %img = nn.reshape %x {shape = array<i64: -1, 28, 28, 1>} : (tensor<?x784xf32>) -> tensor<?x28x28x1xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$x, DenseI64ArrayAttr:$shape);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

def NN_ConcatOp : NN_Op<"concat", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "joins tensors along one axis";
  let description = [{
    All inputs have the same rank and agree on every dimension but `axis`.

    ```mlir
    %c = nn.concat %a, %b {axis = 1 : i64} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def NN_SliceOp : NN_Op<"slice", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "a rectangular part of a tensor";
  let description = [{
    `result[i] = x[offsets + i]` for `i` below `sizes`; a size of -1 takes
    the whole dimension (it is how a slice keeps the batch `?`). Autodiff uses
    it for the gradient of `concat`.

    ```mlir
    %s = nn.slice %x {offsets = array<i64: 0, 3>, sizes = array<i64: -1, 5>} : (tensor<?x8xf32>) -> tensor<?x5xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$x, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

def NN_BroadcastLikeOp : NN_Op<"broadcast_like", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "repeats a tensor to the shape of another (NumPy broadcasting)";
  let description = [{
    The result has the shape of `like` (only its shape is used) and the
    values of `x` broadcast to it. Autodiff uses it to spread the gradient of
    a reduction back over the reduced axes.

    ```mlir
    %b = nn.broadcast_like %g, %x : (tensor<?x1xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_AnyTensor:$like);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `,` $like attr-dict `:` functional-type(operands, results)";
}

def NN_Conv2DOp : NN_Op<"conv2d", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "2-D convolution, NHWC images and HWIO filters, TensorFlow's padding";
  let description = [{
    `y[n, i, j, o] = sum_{kh, kw, c} xp[n, i*sy + kh, j*sx + kw, c] * w[kh, kw, c, o]`
    with `xp` the input padded with zeros. `VALID`: no padding,
    `OH = (H - KH) / sy + 1`. `SAME`: `OH = ceil(H / sy)`, padded by
    `max((OH - 1) * sy + KH - H, 0)` rows, the smaller half on top (and the
    same for columns), exactly as TensorFlow does.

    ```mlir
    %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = "SAME"} : (tensor<?x28x28x1xf32>, tensor<5x5x1x32xf32>) -> tensor<?x28x28x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$w,
                       DenseI64ArrayAttr:$strides, StrAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $w attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Rows and columns of zeros before (top, left) and after (bottom, right).
    std::array<int64_t, 4> getPads();
  }];
}

def NN_Conv2DBackpropInputOp : NN_Op<"conv2d_backprop_input", [Pure, InferTypeOpAdaptor]> {
  let summary = "the gradient of conv2d with respect to its image";
  let description = [{
    Given g = dL/dy of `y = conv2d(x, w)` with the same strides and padding,
    `dx[n, h, v, c] = sum g[n, i, j, o] * w[kh, kw, c, o]` over the (i, kh)
    and (j, kw) with `i*sy + kh - top = h` and `j*sx + kw - left = v`.
    `input_size` is the image's `[H, W]`.

    ```mlir
    %dx = nn.conv2d_backprop_input %g, %w {input_size = array<i64: 28, 28>, strides = array<i64: 1, 1>, padding = "SAME"} : (tensor<50x28x28x32xf32>, tensor<5x5x1x32xf32>) -> tensor<50x28x28x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$g, NN_FloatTensor:$w, DenseI64ArrayAttr:$input_size,
                       DenseI64ArrayAttr:$strides, StrAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $g `,` $w attr-dict `:` functional-type(operands, results)
  }];
}

def NN_Conv2DBackpropFilterOp : NN_Op<"conv2d_backprop_filter", [Pure, InferTypeOpAdaptor]> {
  let summary = "the gradient of conv2d with respect to its filter";
  let description = [{
    Given g = dL/dy of `y = conv2d(x, w)`,
    `dw[kh, kw, c, o] = sum_{n, i, j} xp[n, i*sy + kh, j*sx + kw, c] * g[n, i, j, o]`
    with `xp` the zero-padded image. `kernel_size` is the filter's `[KH, KW]`.

    ```mlir
    %dw = nn.conv2d_backprop_filter %x, %g {kernel_size = array<i64: 5, 5>, strides = array<i64: 1, 1>, padding = "SAME"} : (tensor<50x28x28x1xf32>, tensor<50x28x28x32xf32>) -> tensor<5x5x1x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$g, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$strides, StrAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $g attr-dict `:` functional-type(operands, results)
  }];
}

class NN_PoolOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = what # " over ksize windows of an NHWC image, TensorFlow's padding";
  let description = [{
    Windows of `ksize = [ky, kx]` every `strides = [sy, sx]`; the output size
    and the padding follow TensorFlow's rule as for conv2d. Padding is never
    part of a window: a maximum ignores it and an average divides by the
    number of image elements in the window.

    ```mlir
    %y = nn.}] # mnemonic # [{ %x {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<?x28x28x32xf32>) -> tensor<?x14x14x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$ksize,
                       DenseI64ArrayAttr:$strides, StrAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

def NN_MaxPoolOp : NN_PoolOp<"max_pool", "the maximum">;
def NN_AvgPoolOp : NN_PoolOp<"avg_pool", "the average">;

def NN_MaxPoolGradOp : NN_Op<"max_pool_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "the gradient of max_pool: each window's gradient goes to its maximum";
  let description = [{
    `dx[p] = sum of g[w]` over the windows w whose maximum is at p; among
    equal values the first in row-major order of the window is the maximum,
    as TensorFlow's CPU kernel chooses.

    ```mlir
    %dx = nn.max_pool_grad %x, %g {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<50x28x28x32xf32>, tensor<50x14x14x32xf32>) -> tensor<50x28x28x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$g, DenseI64ArrayAttr:$ksize,
                       DenseI64ArrayAttr:$strides, StrAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `,` $g attr-dict `:` functional-type(operands, results)";
}

def NN_AvgPoolGradOp : NN_Op<"avg_pool_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "the gradient of avg_pool: each window's gradient shared by its elements";
  let description = [{
    `dx[p] = sum of g[w] / count(w)` over the windows w that contain p, with
    `count(w)` the number of image elements in w. `input_size` is `[H, W]`.

    ```mlir
    %dx = nn.avg_pool_grad %g {input_size = array<i64: 28, 28>, ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<50x14x14x32xf32>) -> tensor<50x28x28x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$g, DenseI64ArrayAttr:$input_size, DenseI64ArrayAttr:$ksize,
                       DenseI64ArrayAttr:$strides, StrAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$g attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string formula>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the " # formula # " over some axes (all when `axes` is empty)";
  let description = [{
    Reduces `x` over `axes` (every axis when empty). Reduced axes are removed,
    or kept with size 1 with `keepdims`.

    ```mlir
    %s = nn.}] # mnemonic # [{ %x {axes = array<i64: 1>} : (tensor<100x10xf32>) -> tensor<100xf32>
    %t = nn.}] # mnemonic # [{ %x {axes = array<i64>} : (tensor<100x10xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    /// The reduced axes, all of them when `axes` is empty.
    ::llvm::SmallVector<int64_t> getReducedAxes();
  }];
}

def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", "sum">;
def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", "mean">;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "maximum">;

def NN_ArgmaxOp : NN_Op<"argmax", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the index of the largest element along one axis";
  let description = [{
    Ties go to the smallest index, as in TensorFlow.

    ```mlir
    %i = nn.argmax %p {axis = 1 : i64} : (tensor<100x10xf32>) -> tensor<100xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis);
  let results = (outs NN_IndexTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

class NN_LossOp<string mnemonic, string what, string formula>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = what;
  let description = [{
    `}] # formula # [{`. Both operands have the same shape; the result is a
    scalar.

    ```mlir
    %l = nn.}] # mnemonic # [{ %a, %b : (tensor<100x10xf32>, tensor<100x10xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_SoftmaxCrossEntropyOp : NN_LossOp<"softmax_cross_entropy",
  "softmax cross-entropy of logits against labels, summed over the batch",
  "sum_b (logsumexp(lhs[b, :]) - sum_c rhs[b, c] * lhs[b, c]) for rhs rows summing to 1; "
  "in general sum_b sum_c -rhs[b, c] * log_softmax(lhs)[b, c]">;
def NN_SigmoidCrossEntropyOp : NN_LossOp<"sigmoid_cross_entropy",
  "sigmoid cross-entropy of logits against labels, summed",
  "sum max(x, 0) - x * z + log(1 + e^-|x|), with x = lhs (logits) and z = rhs (labels)">;
def NN_MeanSquaredErrorOp : NN_LossOp<"mean_squared_error",
  "mean of the squared differences",
  "mean((lhs - rhs)^2)">;

//===----------------------------------------------------------------------===//
// The program table: what a program exports to the runtime
//===----------------------------------------------------------------------===//

// The numbers are the runtime's (enum nnrt_role in support/ProgramABI.h).
def NN_TensorRole : I32EnumAttr<"TensorRole", "what a tensor of the program table is", [
    I32EnumAttrCase<"variable", 0>,
    I32EnumAttrCase<"constant", 1, "const">,
    I32EnumAttrCase<"input", 2>,
    I32EnumAttrCase<"output", 3>,
    I32EnumAttrCase<"state", 4>,
    I32EnumAttrCase<"scratch", 5>]> {
  let cppNamespace = "::nn";
}

def NN_ExportTensorOp : NN_Op<"export_tensor", [
    ParentOneOf<["::mlir::ModuleOp", "ExportFunctionOp"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a tensor the runtime finds by name: a row of the program table";
  let description = [{
    Made by `nn-state-to-globals` when it gives a tensor its storage, read by
    `nn-build-program-table`, which turns every record into an entry of
    `nnrt_program_table` (support/ProgramABI.h). At the module's top level it
    is a variable, a const or an optimizer's state, with its initializer spec;
    inside an `nn.export_function` it is one of the function's placeholders
    (`input`) or results (`output`). `batched` says that the first dimension
    is the batch, which the runtime fills and reads item by item.

    ```mlir
    nn.export_tensor variable "w" at @nn_var_w : tensor<784x10xf32> init "truncated_normal stddev=0.1"
    nn.export_tensor input "x" at @nn_infer_in_x : tensor<100x784xf32> batched
    ```
  }];
  let arguments = (ins NN_TensorRole:$role, StrAttr:$tensor_name,
                       FlatSymbolRefAttr:$storage, TypeAttrOf<AnyRankedTensor>:$type,
                       UnitAttr:$batched, OptionalAttr<StrAttr>:$init);
  let assemblyFormat = [{
    $role $tensor_name `at` $storage `:` $type (`batched` $batched^)? (`init` $init^)? attr-dict
  }];
  let hasVerifier = 1;
}

def NN_ExportFunctionOp : NN_Op<"export_function", [
    HasParent<"::mlir::ModuleOp">, NoTerminator, SingleBlock, NoRegionArguments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a function the runtime calls by name: a row of the program table";
  let description = [{
    The entry point of one function of the program (`train_step`, `infer`,
    ...; support/ProgramABI.h, section 3), the batch it was compiled for, and
    its inputs and outputs as `nn.export_tensor` records, in order. Made by
    `nn-state-to-globals`, read by `nn-build-program-table`.

    ```mlir
    nn.export_function "infer" at @nnc_infer batch 100 {
      nn.export_tensor input "x" at @nn_infer_in_x : tensor<100x784xf32> batched
      nn.export_tensor output "p" at @nn_infer_out_p : tensor<100x10xf32> batched
    }
    ```
  }];
  let arguments = (ins StrAttr:$function_name, FlatSymbolRefAttr:$entry, I64Attr:$batch);
  let regions = (region SizedRegion<1>:$tensors);
  let assemblyFormat = [{
    $function_name `at` $entry `batch` $batch attr-dict-with-keyword $tensors
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name,
                                 "::mlir::FlatSymbolRefAttr":$entry, "int64_t":$batch)>];
}

def NN_ExportKernelOp : NN_Op<"export_kernel", [HasParent<"::mlir::ModuleOp">]> {
  let summary = "a kernel of a GPU program: a row of the program table";
  let description = [{
    Made by `nn-gpu-launch-to-runtime` for every kernel it numbers, in that
    order: kernel `k` of `nnrt_gpu_launch` is the k-th record. The kernel is
    named in the program's PTX module (`nnrt_device_code`), and its twin
    compiled for the CPU (for `--device emu`) is `nnrt_emu_<name>`.
    `nn-build-program-table` turns the records into the table's kernels.

    ```mlir
    nn.export_kernel "nnc_infer_kernel_0"
    ```
  }];
  let arguments = (ins StrAttr:$kernel_name);
  let assemblyFormat = "$kernel_name attr-dict";
}

#endif // NN_OPS_TD
