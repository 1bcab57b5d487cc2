//===- CUDADriver.cpp - an NVIDIA GPU through the CUDA driver API ---------===//
//
// --device cuda. The driver library is opened with dlopen("libcuda.so.1")
// when the program starts on this device, so a program built with
// --target=cuda links and starts on any machine; without the driver or a GPU
// it says so and points at --device emu. The entry points are declared here
// with the CUDA 13 driver API's types (cuda.h is not needed to build).
//
//  1. cuInit, the first device, its primary context.
//  2. The program's PTX (`nnrt_device_code`) loaded once with
//     cuModuleLoadDataEx (the driver compiles it for the GPU present), the
//     JIT's error log kept for the message; each kernel's CUfunction looked
//     up once.
//  3. Memory with cuMemAlloc; copies with cuMemcpyHtoD / DtoH, the latter
//     after the stream's kernels are done.
//  4. Launches with cuLaunchKernel on one stream, asynchronous: an error in
//     a kernel shows at the next copy back, named by the driver
//     (cuGetErrorName) with the last kernel launched.
//
// Every call is checked; a failure names the call, the driver's error and
// the kernel.
//
//===----------------------------------------------------------------------===//

#include "runtime/Device.h"

#include <dlfcn.h>
#include <string>
#include <vector>

namespace nnrt {
namespace {

using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUdeviceptr = unsigned long long;

/// The driver's entry points this runtime uses.
struct DriverAPI {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *, void **);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                             unsigned, CUstream, void **, void **);
  CUresult (*cuGetErrorName)(CUresult, const char **);
};

const char *const kNoDevice = "run it with --device emu to run its GPU kernels on the CPU";

class CUDADevice : public Device {
public:
  explicit CUDADevice(const nnrt_program &program) : program(program) {
    openDriver();
    // Step 1.
    if (CUresult r = api.cuInit(0))
      throw Error("the CUDA driver did not start (cuInit: " + errorName(r) + "): " + kNoDevice);
    int count = 0;
    check(api.cuDeviceGetCount(&count), "cuDeviceGetCount");
    if (count == 0)
      throw Error(std::string("the CUDA driver found no GPU: ") + kNoDevice);
    CUdevice device;
    check(api.cuDeviceGet(&device, 0), "cuDeviceGet");
    CUcontext context;
    check(api.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
    check(api.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    check(api.cuStreamCreate(&stream, 0), "cuStreamCreate");
    loadKernels();
  }

  void *allocate(size_t bytes) override {
    CUdeviceptr p = 0;
    check(api.cuMemAlloc(&p, bytes), "cuMemAlloc");
    return reinterpret_cast<void *>(p);
  }
  void copyToDevice(void *device, const void *host, size_t bytes) override {
    synchronize(); // the stream's kernels may still read the old values
    check(api.cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(device), host, bytes), "cuMemcpyHtoD");
  }
  void copyToHost(void *host, const void *device, size_t bytes) override {
    synchronize();
    check(api.cuMemcpyDtoH(host, reinterpret_cast<CUdeviceptr>(device), bytes), "cuMemcpyDtoH");
  }
  void launch(int32_t kernel, Dim3 grid, Dim3 block, void **args) override {
    lastKernel = program.kernels[kernel].name;
    check(api.cuLaunchKernel(functions.at(kernel), grid.x, grid.y, grid.z, block.x, block.y,
                             block.z, 0, stream, args, nullptr),
          "cuLaunchKernel");
  }

private:
  const nnrt_program &program;
  DriverAPI api{};
  std::string lastKernel;
  CUstream stream = nullptr;
  std::vector<CUfunction> functions;

  void openDriver() {
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library)
      throw Error(std::string("no CUDA driver (libcuda.so.1: ") + dlerror() +
                  "): this program was compiled with --target=cuda; " + kNoDevice);
    auto bind = [&](auto &entry, const char *symbol) {
      entry = reinterpret_cast<std::remove_reference_t<decltype(entry)>>(dlsym(library, symbol));
      if (!entry)
        throw Error(std::string("the CUDA driver has no ") + symbol + ": " + kNoDevice);
    };
    bind(api.cuInit, "cuInit");
    bind(api.cuDeviceGetCount, "cuDeviceGetCount");
    bind(api.cuDeviceGet, "cuDeviceGet");
    bind(api.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(api.cuCtxSetCurrent, "cuCtxSetCurrent");
    bind(api.cuModuleLoadDataEx, "cuModuleLoadDataEx");
    bind(api.cuModuleGetFunction, "cuModuleGetFunction");
    bind(api.cuStreamCreate, "cuStreamCreate");
    bind(api.cuStreamSynchronize, "cuStreamSynchronize");
    bind(api.cuMemAlloc, "cuMemAlloc_v2");
    bind(api.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
    bind(api.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
    bind(api.cuLaunchKernel, "cuLaunchKernel");
    bind(api.cuGetErrorName, "cuGetErrorName");
  }

  /// Step 2: the PTX, with the JIT's error log (options 5 and 6:
  /// CU_JIT_ERROR_LOG_BUFFER and its size).
  void loadKernels() {
    static char log[8192];
    int options[] = {5, 6};
    void *values[] = {log, reinterpret_cast<void *>(sizeof log)};
    CUmodule module;
    CUresult r = api.cuModuleLoadDataEx(&module, program.device_code, 2, options, values);
    if (r != 0)
      throw Error("the CUDA driver could not load the program's PTX (" + errorName(r) +
                  "): " + log);
    for (int32_t k = 0; k < program.num_kernels; ++k) {
      CUfunction f;
      lastKernel = program.kernels[k].name;
      check(api.cuModuleGetFunction(&f, module, program.kernels[k].name), "cuModuleGetFunction");
      functions.push_back(f);
    }
  }

  void synchronize() { check(api.cuStreamSynchronize(stream), "cuStreamSynchronize"); }

  std::string errorName(CUresult r) {
    const char *name = nullptr;
    if (api.cuGetErrorName && api.cuGetErrorName(r, &name) == 0 && name)
      return name;
    return "CUDA error " + std::to_string(r);
  }

  void check(CUresult r, const char *call) {
    if (r == 0)
      return;
    std::string message = std::string(call) + " failed: " + errorName(r);
    if (!lastKernel.empty())
      message += " (kernel " + lastKernel + " or one launched before it)";
    throw Error(message);
  }
};

} // namespace

std::unique_ptr<Device> createCUDADevice(const nnrt_program &program) {
  return std::make_unique<CUDADevice>(program);
}

} // namespace nnrt
