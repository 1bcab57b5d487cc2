//===- Program.cpp - the generated program, seen from the runtime ---------===//

#include "runtime/Program.h"
#include "runtime/Device.h"

#include <sstream>

namespace nnrt {

void Function::run() const {
  if (DeviceProgram *device = activeDevice())
    device->run(*this);
  else
    desc->entry();
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int i = 0; i < desc->rank; ++i)
    n *= desc->dims[i];
  return n;
}

int64_t Tensor::itemSize() const {
  if (!desc->batched)
    return numElements();
  int64_t n = 1;
  for (int i = 1; i < desc->rank; ++i)
    n *= desc->dims[i];
  return n;
}

size_t Tensor::elementBytes() const {
  switch (desc->dtype) {
  case NNRT_I64:
    return 8;
  case NNRT_BOOL:
    return 1;
  default:
    return 4;
  }
}

std::string Tensor::shapeString() const {
  std::ostringstream s;
  s << "[";
  for (int i = 0; i < desc->rank; ++i) {
    if (i)
      s << ", ";
    if (i == 0 && desc->batched)
      s << "?";
    else
      s << desc->dims[i];
  }
  s << "]";
  return s.str();
}

Program::Program(const nnrt_program &table) : table_(table) {
  if (table.abi_version != NNRT_ABI_VERSION)
    throw Error("program table version " + std::to_string(table.abi_version) +
                " does not match the runtime's " + std::to_string(NNRT_ABI_VERSION));
  for (int f = 0; f < table.num_functions; ++f) {
    const nnrt_function &fn = table.functions[f];
    Function function{&fn, {}, {}};
    for (int t = fn.first_tensor; t < fn.first_tensor + fn.num_tensors; ++t) {
      Tensor tensor{&table.tensors[t]};
      (tensor.desc->role == NNRT_INPUT ? function.inputs : function.outputs)
          .push_back(tensor);
    }
    functions_.push_back(function);
  }
  std::istringstream lines(table.settings ? table.settings : "");
  std::string line;
  while (std::getline(lines, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos)
      settings_[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

std::vector<Tensor> Program::variables() const {
  std::vector<Tensor> result;
  for (int t = 0; t < table_.num_tensors; ++t)
    if (table_.tensors[t].role == NNRT_VARIABLE || table_.tensors[t].role == NNRT_CONST ||
        table_.tensors[t].role == NNRT_STATE)
      result.push_back(Tensor{&table_.tensors[t]});
  return result;
}

const Function *Program::function(const std::string &name) const {
  for (const Function &f : functions_)
    if (name == f.desc->name)
      return &f;
  return nullptr;
}

std::string Program::setting(const std::string &key) const {
  auto it = settings_.find(key);
  return it == settings_.end() ? "" : it->second;
}

std::vector<std::string> Program::settingList(const std::string &key) const {
  std::vector<std::string> list;
  std::istringstream in(setting(key));
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty())
      list.push_back(item);
  return list;
}

} // namespace nnrt
