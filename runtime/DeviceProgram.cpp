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
// The data sets stay on the device: each goes up once, when its first batch
// is needed, and a batch is gathered there by the program's nnc_gather_rows
// kernel (codegen/gpu/GPUBatchGatherKernel.cpp), from the item numbers of
// its rows in the shuffled order; per step only those numbers go up (800
// bytes for a batch of 100) and the reported values come back.
//
// NNRT_DEVICE_LOG=1 in the environment prints every copy between host and
// device, and every gather, on stderr: a learner can watch what crosses the
// bus (and a test can check that a data set crosses it once).
//
//===----------------------------------------------------------------------===//

#include "runtime/Device.h"
#include "support/ProgramABI.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

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
  const char *log = std::getenv("NNRT_DEVICE_LOG");
  log_ = log && std::string(log) == "1";
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
  for (int32_t k = 0; k < table.num_kernels; ++k)
    if (std::string(table.kernels[k].name) == nn::abi::kGatherRowsKernel)
      gatherKernel_ = k;
}

void DeviceProgram::logCopy(const char *direction, size_t bytes, const std::string &what) const {
  if (log_)
    std::fprintf(stderr, "device: %s %zu bytes: %s\n", direction, bytes, what.c_str());
}

bool DeviceProgram::gatherBatch(const Tensor &input, const Dataset &data,
                                const std::vector<int64_t> &items) {
  if (gatherKernel_ < 0)
    return false;
  // The data set, uploaded the first time, as float, in pieces of 4 MB
  // (Dataset::copyValues: a byte set is decoded on the way).
  const void *host = data.codes.empty() ? (const void *)data.values.data() : data.codes.data();
  auto resident = std::find_if(datasets_.begin(), datasets_.end(), [&](const ResidentData &r) {
    return r.host == host && r.floats == data.size();
  });
  if (resident == datasets_.end()) {
    size_t bytes = std::max<size_t>(1, data.size() * sizeof(float));
    datasets_.push_back({host, data.size(), device_->allocate(bytes)});
    resident = datasets_.end() - 1;
    std::vector<float> piece(std::min<size_t>(data.size(), 1 << 20));
    for (size_t first = 0; first < data.size(); first += piece.size()) {
      size_t count = std::min(piece.size(), data.size() - first);
      data.copyValues(first, count, piece.data());
      device_->copyToDevice((char *)resident->device + first * sizeof(float), piece.data(),
                            count * sizeof(float));
    }
    logCopy("up", data.size() * sizeof(float), "data set " + data.file);
  }
  // The rows' item numbers, in a buffer of this input's.
  auto buffer = std::find_if(itemBuffers_.begin(), itemBuffers_.end(),
                             [&](const auto &b) { return b.first == input.desc; });
  if (buffer == itemBuffers_.end()) {
    itemBuffers_.push_back({input.desc, device_->allocate(input.desc->dims[0] * sizeof(int64_t))});
    buffer = itemBuffers_.end() - 1;
  }
  device_->copyToDevice(buffer->second, items.data(), items.size() * sizeof(int64_t));
  logCopy("up", items.size() * sizeof(int64_t),
          std::string("item numbers of a batch of '") + input.name() + "'");
  // nnc_gather_rows(dst, src, items, row_floats, total), a thread per float.
  void *dst = copyOf(input).device, *src = resident->device, *rows = buffer->second;
  int64_t rowFloats = input.itemSize(), total = rowFloats * (int64_t)items.size();
  void *args[] = {&dst, &src, &rows, &rowFloats, &total};
  const int64_t block = 256;
  device_->launch(gatherKernel_, {(total + block - 1) / block, 1, 1}, {block, 1, 1}, args);
  if (log_)
    std::fprintf(stderr, "device: gather %zu rows of %s into '%s'\n", items.size(),
                 data.file.c_str(), input.name());
  filledOnDevice_.push_back(input.desc);
  return true;
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
      if (isState(c)) {
        device_->copyToDevice(c.device, c.tensor.desc->data, c.bytes);
        logCopy("up", c.bytes, std::string("state '") + c.tensor.name() + "'");
      }
    stateOnHostIsNewer_ = false;
  }
  for (const Tensor &in : f.inputs) {
    if (std::find(filledOnDevice_.begin(), filledOnDevice_.end(), in.desc) != filledOnDevice_.end())
      continue; // gathered on the device
    const Copy &c = copyOf(in);
    device_->copyToDevice(c.device, in.desc->data, c.bytes);
    logCopy("up", c.bytes, std::string("input '") + in.name() + "'");
  }
  filledOnDevice_.clear();
  pendingError_.clear();
  f.desc->entry();
  stateOnDeviceIsNewer_ = true;
  if (!pendingError_.empty())
    throw Error(pendingError_);
  // Step 3.
  for (const Tensor &out : f.outputs) {
    const Copy &c = copyOf(out);
    device_->copyToHost(out.desc->data, c.device, c.bytes);
    logCopy("down", c.bytes, std::string("output '") + out.name() + "'");
  }
}

void DeviceProgram::fetchVariables() {
  if (!stateOnDeviceIsNewer_)
    return;
  for (const Copy &c : copies_)
    if (isState(c)) {
      device_->copyToHost(c.tensor.desc->data, c.device, c.bytes);
      logCopy("down", c.bytes, std::string("state '") + c.tensor.name() + "'");
    }
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
