//===- ProgramChecks.h - what nnc relies on in a program module -*- C++ -*-===//
//
// A .mlir file given to nnc is a program printed at some stage, perhaps
// edited. The dialects' verifiers check its ops; verifyProgramModule checks
// the attributes nnc and the runtime rely on beyond them, so that an edited
// setting is a located error, not a division by zero or a program that
// never trains.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_PROGRAMCHECKS_H
#define NNC_IR_PROGRAMCHECKS_H

#include "mlir/IR/BuiltinOps.h"

namespace nn {

/// Checks `module`, a train or infer program: its settings (program=train or
/// infer; for train, steps 1 to 2^31 - 1, shuffle and report_on_test 0 or
/// 1, report_every 0 to 2^31 - 1), each function's nn.batch (1 to 2^31 - 1),
/// that a train program has its train step, and an nn.optimizer's name and
/// arguments (as the .nn checker does). Reports each problem at the module's
/// or the function's location.
mlir::LogicalResult verifyProgramModule(mlir::ModuleOp module);

} // namespace nn

#endif // NNC_IR_PROGRAMCHECKS_H
