//===- DeviceProgram.cpp - a GPU program's tensors on its device ----------===//
//
// The host keeps a copy of every tensor (the runtime initialises variables,
// reads checkpoints and fills batches there, as for a CPU program); the
// device has the copy the kernels use. When --device chooses a device:
//
//  1. every tensor with a device slot gets device memory, and its address
//     goes into the slot, where the generated host code reads it;
//  2. before a function runs, its inputs go up, and the variables and
//     optimizer state too when the host's copy is newer (the first call,
//     after initialisation, a checkpoint, --init);
//  3. after it, its outputs come back; the variables stay on the device
//     until the host needs them (a checkpoint), when fetchVariables()
//     brings them back.
//
// Each batch is copied up per call: the whole data set does not yet stay on
// the device (a later step of the GPU target).
//
//===----------------------------------------------------------------------===//

#include "runtime/Device.h"

#include <algorithm>

namespace nnrt {

static std::unique_ptr<DeviceProgram> theDevice;

bool isGPUProgram(const nnrt_program &program) { return program.device_code != nullptr; }

DeviceProgram *activeDevice() { return theDevice.get(); }

void selectDevice(const Program &program, const std::string &name) {
  bool gpu = isGPUProgram(program.table());
  if (!gpu) {
    if (!name.empty() && name != "cpu")
      throw Error("device '" + name +
                  "' is not available: this program was compiled with --target=cpu "
                  "(compile with nnc --target=cuda for --device cuda or emu)");
    return;
  }
  std::string device = name.empty() ? "cuda" : name;
  if (device == "cuda")
    theDevice = std::make_unique<DeviceProgram>(program, createCUDADevice(program.table()));
  else if (device == "emu")
    theDevice = std::make_unique<DeviceProgram>(program, createEmulator(program.table()));
  else
    throw Error("device '" + device +
                "' is not available: this program was compiled with --target=cuda "
                "(--device cuda or emu)");
}

DeviceProgram::DeviceProgram(const Program &program, std::unique_ptr<Device> device)
    : device_(std::move(device)) {
  // Step 1.
  const nnrt_program &table = program.table();
  for (int32_t i = 0; i < table.num_tensors; ++i) {
    const nnrt_tensor *desc = &table.tensors[i];
    if (!desc->device)
      continue;
    Tensor t{desc};
    size_t bytes = std::max<size_t>(1, t.numElements() * t.elementBytes());
    copies_.push_back({t, device_->allocate(bytes), bytes});
    *desc->device = copies_.back().device;
  }
}

const DeviceProgram::Copy &DeviceProgram::copyOf(const Tensor &t) const {
  for (const Copy &c : copies_)
    if (c.tensor.desc == t.desc)
      return c;
  throw Error(std::string("tensor '") + t.name() + "' has no copy on the device");
}

/// Variables, consts and optimizer state: what lives on the device between
/// calls.
bool DeviceProgram::isState(const Copy &c) {
  int role = c.tensor.desc->role;
  return role == NNRT_VARIABLE || role == NNRT_CONST || role == NNRT_STATE;
}

void DeviceProgram::run(const Function &f) {
  // Step 2.
  if (stateOnHostIsNewer_) {
    for (const Copy &c : copies_)
      if (isState(c))
        device_->copyToDevice(c.device, c.tensor.desc->data, c.bytes);
    stateOnHostIsNewer_ = false;
  }
  for (const Tensor &in : f.inputs) {
    const Copy &c = copyOf(in);
    device_->copyToDevice(c.device, in.desc->data, c.bytes);
  }
  pendingError_.clear();
  f.desc->entry();
  stateOnDeviceIsNewer_ = true;
  if (!pendingError_.empty())
    throw Error(pendingError_);
  // Step 3.
  for (const Tensor &out : f.outputs) {
    const Copy &c = copyOf(out);
    device_->copyToHost(out.desc->data, c.device, c.bytes);
  }
}

void DeviceProgram::fetchVariables() {
  if (!stateOnDeviceIsNewer_)
    return;
  for (const Copy &c : copies_)
    if (isState(c))
      device_->copyToHost(c.tensor.desc->data, c.device, c.bytes);
  stateOnDeviceIsNewer_ = false;
}

void DeviceProgram::launch(int32_t kernel, Dim3 grid, Dim3 block, void **args) {
  if (!pendingError_.empty())
    return; // the step failed: its remaining kernels do not run
  try {
    device_->launch(kernel, grid, block, args);
  } catch (const std::exception &e) {
    pendingError_ = e.what();
  }
}

} // namespace nnrt

/// The generated host code's kernel launches (support/ProgramABI.h). An
/// exception must not unwind through the generated code (it has no unwind
/// tables): an error waits in the DeviceProgram until the function returns.
extern "C" void nnrt_gpu_launch(int32_t kernel, int64_t grid_x, int64_t grid_y, int64_t grid_z,
                                int64_t block_x, int64_t block_y, int64_t block_z, void **args) {
  if (nnrt::DeviceProgram *device = nnrt::activeDevice())
    device->launch(kernel, {grid_x, grid_y, grid_z}, {block_x, block_y, block_z}, args);
}
