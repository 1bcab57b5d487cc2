//===- Device.h - where a GPU program's kernels run -------------*- C++ -*-===//
//
// A program built with --target=cuda keeps every tensor on a device: its
// variables, optimizer state, inputs, outputs and the arena of temporaries.
// The host code nnc generates only launches kernels (nnrt_gpu_launch) on
// the devices' addresses, which the runtime stores in each tensor's device
// slot (support/ProgramABI.h). Two devices implement the same interface:
//
//   cuda  runtime/CUDADriver.cpp: an NVIDIA GPU through the CUDA driver API,
//         opened with dlopen, the PTX embedded in the program;
//   emu   runtime/GPUEmulator.cpp: the same kernels compiled for the CPU,
//         run block by block, one execution context per GPU thread.
//
// DeviceProgram (runtime/DeviceProgram.cpp) moves the tensors between the
// host and the device around each function call.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_DEVICE_H
#define NNC_RUNTIME_DEVICE_H

#include "runtime/DataLoaders.h"
#include "runtime/Program.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nnrt {

/// A grid or block shape.
struct Dim3 {
  int64_t x = 1, y = 1, z = 1;
  int64_t count() const { return x * y * z; }
};

class Device {
public:
  virtual ~Device() = default;
  /// Memory on the device; valid until the device is destroyed.
  virtual void *allocate(size_t bytes) = 0;
  virtual void copyToDevice(void *device, const void *host, size_t bytes) = 0;
  /// Waits for the kernels launched before, then copies.
  virtual void copyToHost(void *host, const void *device, size_t bytes) = 0;
  /// Kernel number `kernel` of the program table; `args` as nnrt_gpu_launch.
  virtual void launch(int32_t kernel, Dim3 grid, Dim3 block, void **args) = 0;
};

/// The CUDA driver's first device; throws an Error that says what is
/// missing (no driver, no device) and points at --device emu.
std::unique_ptr<Device> createCUDADevice(const nnrt_program &program);
/// The emulator.
std::unique_ptr<Device> createEmulator(const nnrt_program &program);

/// A GPU program's tensors on a device, kept in step with their host copies.
class DeviceProgram {
public:
  DeviceProgram(const Program &program, std::unique_ptr<Device> device);
  Device &device() { return *device_; }
  /// Runs `f` on the device: its inputs (and, the first time or after the
  /// host changed them, the variables) go up, its outputs come back.
  void run(const Function &f);
  /// Brings the variables and optimizer state back to the host (before a
  /// checkpoint is written).
  void fetchVariables();
  /// Fills batched input `input` on the device: row r is item items[r] of
  /// `data` (-1: zeros). `data` goes up to the device the first time it is
  /// used and stays there; only the item numbers go up per batch, and the
  /// next run() does not upload `input`. False when the program has no
  /// gather kernel (the caller then fills the host's copy).
  bool gatherBatch(const Tensor &input, const Dataset &data, const std::vector<int64_t> &items);
  /// nnrt_gpu_launch: a failed launch is kept, and thrown when the function
  /// returns (exceptions must not cross the generated code).
  void launch(int32_t kernel, Dim3 grid, Dim3 block, void **args);

private:
  struct Copy {
    Tensor tensor;
    void *device;
    size_t bytes;
  };
  std::unique_ptr<Device> device_;
  std::vector<Copy> copies_; // every tensor with a device slot

  struct ResidentData { // a data set on the device
    const void *host; // the data set's storage (its floats or its byte codes)
    size_t floats;
    void *device;
  };
  std::vector<ResidentData> datasets_;
  std::vector<std::pair<const nnrt_tensor *, void *>> itemBuffers_; // per input
  std::vector<const nnrt_tensor *> filledOnDevice_; // inputs gathered for the next run
  bool log_ = false; // NNRT_DEVICE_LOG=1: every copy and gather on stderr
  void logCopy(const char *direction, size_t bytes, const std::string &what) const;
  int32_t gatherKernel_ = -1; // nnc_gather_rows's number; -1 if absent

  bool stateOnHostIsNewer_ = true;
  bool stateOnDeviceIsNewer_ = false;
  std::string pendingError_;
  const Copy &copyOf(const Tensor &t) const;
  static bool isState(const Copy &c);
};

/// Whether the program was built with --target=cuda.
bool isGPUProgram(const nnrt_program &program);
/// The device of a GPU program once --device chose it; null for a CPU program.
DeviceProgram *activeDevice();
/// --device DEV for `program`: cpu for a CPU program; cuda (the default) or
/// emu for a GPU program.
void selectDevice(const Program &program, const std::string &name);

} // namespace nnrt

#endif // NNC_RUNTIME_DEVICE_H
