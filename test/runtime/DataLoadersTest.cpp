//===- DataLoadersTest.cpp - the runtime's IDX, NPY and CSV loaders -------===//
//
// Each test writes a small file in a known format, loads it, and checks every
// value, the shape, and the error messages for malformed files.
//
//===----------------------------------------------------------------------===//

#include "runtime/DataLoaders.h"
#include "runtime/Program.h"
#include "runtime/Writers.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

using namespace nnrt;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "/nnrt_" + name;
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void writeGzip(const std::string &path, const std::string &bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), bytes.size());
  gzclose(f);
}

/// An IDX file of unsigned bytes with the given dimensions.
std::string idxBytes(std::vector<uint32_t> dims, const std::vector<unsigned char> &data) {
  std::string s = {0, 0, 0x08, (char)dims.size()};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      s += (char)((d >> shift) & 0xff);
  s.append(data.begin(), data.end());
  return s;
}

std::string errorOf(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

TEST(IDX, ImagesAreFlattenedOneRowPerItem) {
  std::string path = tempPath("images-idx3-ubyte");
  writeBytes(path, idxBytes({2, 2, 3}, {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}));
  Dataset ds = loadIDX(path);
  EXPECT_EQ(ds.items, 2);
  EXPECT_EQ(ds.itemShape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ds.itemSize(), 6);
  EXPECT_EQ(ds.at(0), 0.0f);
  EXPECT_EQ(ds.at(5), 5.0f);
  EXPECT_EQ(ds.at(11), 255.0f);
}

// Bytes stay bytes, one per value, and decode on the copy; a signed byte
// set decodes its codes as signed.
TEST(IDX, BytesAreHeldAsCodesAndDecodedOnCopy) {
  std::string path = tempPath("codes-idx1-ubyte");
  writeBytes(path, idxBytes({4}, {0, 7, 128, 255}));
  Dataset ds = loadIDX(path);
  EXPECT_TRUE(ds.values.empty());
  EXPECT_EQ(ds.codes, (std::vector<uint8_t>{0, 7, 128, 255}));
  float out[3];
  ds.copyValues(1, 3, out);
  EXPECT_EQ(out[0], 7.0f);
  EXPECT_EQ(out[1], 128.0f);
  EXPECT_EQ(out[2], 255.0f);

  std::string signedPath = tempPath("codes-signed-idx1-ubyte");
  std::string bytes = idxBytes({2}, {0x80, 0x7f});
  bytes[2] = 0x09; // the signed byte type
  writeBytes(signedPath, bytes);
  Dataset sds = loadIDX(signedPath);
  EXPECT_EQ(sds.at(0), -128.0f);
  EXPECT_EQ(sds.at(1), 127.0f);
}

// A transform on a byte set gives each value exactly what it gives the
// float: div:255 of the code b is float(b) / 255.0f.
TEST(IDX, TransformsOfBytesEqualTransformsOfFloats) {
  std::string path = tempPath("scaled-idx1-ubyte");
  std::vector<unsigned char> all(256);
  for (int b = 0; b < 256; ++b)
    all[b] = (unsigned char)b;
  writeBytes(path, idxBytes({256}, all));
  Dataset ds = loadSource("idx:" + path + "|div:255|mul:3", "");
  std::vector<float> copied(256);
  ds.copyValues(0, 256, copied.data()); // the vector loops of a batch copy
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(ds.at(b), (float)b / 255.0f * 3.0f) << b;
    EXPECT_EQ(copied[b], (float)b / 255.0f * 3.0f) << b;
  }
  EXPECT_EQ(ds.firstNonFinite(), ds.size());
  Dataset inf = loadSource("idx:" + path + "|div:0", "");
  EXPECT_EQ(inf.firstNonFinite(), 0u); // 0 / 0 is NaN, 1 / 0 infinite
  EXPECT_TRUE(std::isnan(inf.at(0)));
}

TEST(IDX, GzipIsReadTransparently) {
  std::string path = tempPath("labels-idx1-ubyte.gz");
  writeGzip(path, idxBytes({3}, {7, 0, 9}));
  Dataset ds = loadFile(path);
  EXPECT_EQ(ds.items, 3);
  EXPECT_EQ(ds.itemSize(), 1);
  EXPECT_EQ(ds.codes, (std::vector<uint8_t>{7, 0, 9}));
}

// The values are reserved at once for what the file holds (not grown by
// doubling, which held two arrays at the copy: the peak memory of a train
// program), beyond the 2^24 values reserved from the header alone.
TEST(IDX, ValuesAreReservedForWhatTheFileHolds) {
  std::string path = tempPath("large-idx1-ubyte");
  const size_t count = (size_t(1) << 24) + 8;
  writeBytes(path, idxBytes({(uint32_t)count}, std::vector<unsigned char>(count, 3)));
  Dataset ds = loadIDX(path);
  EXPECT_EQ(ds.codes.size(), count);
  EXPECT_EQ(ds.codes.capacity(), count);
  EXPECT_EQ(ds.at(count - 1), 3.0f);
}

// A gzip file's record of its size (its last four bytes) sizes the
// reservation; zlib checks it at the end of the data, so a wrong one is a
// read error naming the file (and a huge one reserves no more than the
// header asks for), never a crash.
TEST(IDX, WrongGzipSizeRecordIsAnErrorNamingTheFile) {
  for (uint32_t record : {0u, 2u, 0xffffffffu}) {
    std::string path = tempPath("labels-hint-idx1-ubyte.gz");
    writeGzip(path, idxBytes({3}, {7, 0, 9}));
    std::FILE *f = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, -4, SEEK_END);
    unsigned char le[4] = {(unsigned char)record, (unsigned char)(record >> 8),
                           (unsigned char)(record >> 16), (unsigned char)(record >> 24)};
    std::fwrite(le, 1, 4, f);
    std::fclose(f);
    EXPECT_EQ(errorOf([&] { loadIDX(path); }),
              path + ": read error: " + path + ": incorrect length check")
        << "size record " << record;
  }
}

TEST(IDX, TruncatedDataIsAnErrorNamingTheFile) {
  std::string path = tempPath("short-idx1-ubyte");
  writeBytes(path, idxBytes({4}, {1, 2}));
  EXPECT_EQ(errorOf([&] { loadIDX(path); }),
            path + ": IDX header promises 4 values but the file holds 2");
}

TEST(IDX, BadMagicIsAnError) {
  std::string path = tempPath("bad-idx1-ubyte");
  writeBytes(path, "PK\x03\x04garbage");
  EXPECT_EQ(errorOf([&] { loadIDX(path); }), path + ": not an IDX file (bad magic number)");
}

TEST(NPY, RoundTripsFloat32) {
  std::string path = tempPath("roundtrip.npy");
  writeNPY(path, {1.5f, -2.0f, 3.25f, 0.0f, 1e-7f, 42.0f}, {2, 3});
  Dataset ds = loadNPY(path);
  EXPECT_EQ(ds.items, 2);
  EXPECT_EQ(ds.itemShape, (std::vector<int64_t>{3}));
  EXPECT_EQ(ds.values, (std::vector<float>{1.5f, -2.0f, 3.25f, 0.0f, 1e-7f, 42.0f}));
}

TEST(NPY, ReadsFloat64AndUint8) {
  // Headers as numpy 1.x writes them.
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  header.append(118 - header.size() - 1, ' ');
  header += '\n';
  std::string f8 = std::string("\x93NUMPY\x01\x00", 8) + (char)header.size() + '\0' + header;
  double values[3] = {0.5, -1.25, 1e10};
  f8.append(reinterpret_cast<char *>(values), sizeof values);
  std::string path = tempPath("f8.npy");
  writeBytes(path, f8);
  Dataset ds = loadNPY(path);
  EXPECT_EQ(ds.items, 3);
  EXPECT_EQ(ds.itemSize(), 1);
  EXPECT_EQ(ds.values, (std::vector<float>{0.5f, -1.25f, 1e10f}));

  std::string u1Header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }";
  std::string u1 = std::string("\x93NUMPY\x01\x00", 8) + (char)u1Header.size() + '\0' +
                   u1Header + std::string("\x00\x01\xfe\xff", 4);
  std::string u1Path = tempPath("u1.npy");
  writeBytes(u1Path, u1);
  Dataset bytes = loadNPY(u1Path);
  EXPECT_EQ(bytes.values, (std::vector<float>{0, 1, 254, 255}));
}

TEST(NPY, SizeMismatchIsAnError) {
  std::string path = tempPath("short.npy");
  writeNPY(path, {1, 2, 3, 4}, {4});
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  writeBytes(path, bytes.substr(0, bytes.size() - 4));
  EXPECT_EQ(errorOf([&] { loadNPY(path); }),
            path + ": .npy header promises 4 values of 4 bytes, the file holds 12 bytes");
}

TEST(CSV, HeaderIsSkippedAndRowsAreItems) {
  std::string path = tempPath("data.csv");
  writeBytes(path, "a,b,c\n1,2,3\n\n4.5, -5 ,6e-1\r\n");
  Dataset ds = loadCSV(path);
  EXPECT_EQ(ds.items, 2);
  EXPECT_EQ(ds.itemShape, (std::vector<int64_t>{3}));
  EXPECT_EQ(ds.values, (std::vector<float>{1, 2, 3, 4.5f, -5, 0.6f}));
}

TEST(CSV, RaggedRowNamesTheLine) {
  std::string path = tempPath("ragged.csv");
  writeBytes(path, "1,2\n3,4\n5\n");
  EXPECT_EQ(errorOf([&] { loadCSV(path); }), path + ":3: expected 2 values, got 1");
}

TEST(CSV, NonNumberAfterTheHeaderIsAnError) {
  std::string path = tempPath("text.csv");
  writeBytes(path, "x,y\n1,2\n3,abc\n");
  EXPECT_EQ(errorOf([&] { loadCSV(path); }), path + ":3: 'abc' is not a number");
}

TEST(Sources, ScaleThenOneHot) {
  std::string images = tempPath("src-images-idx3-ubyte");
  std::string labels = tempPath("src-labels-idx1-ubyte");
  writeBytes(images, idxBytes({1, 2}, {255, 51}));
  writeBytes(labels, idxBytes({2}, {2, 0}));
  Dataset x = loadSource("idx:" + images + "|div:255", "");
  EXPECT_EQ(x.at(0), 1.0f);
  EXPECT_EQ(x.at(1), 51.0f / 255.0f);
  Dataset t = loadSource("idx:" + labels + "|one_hot:3", "");
  EXPECT_EQ(t.itemShape, (std::vector<int64_t>{3}));
  EXPECT_EQ(t.values, (std::vector<float>{0, 0, 1, 1, 0, 0}));
}

TEST(Sources, LabelOutOfRangeNamesTheItem) {
  std::string labels = tempPath("bad-labels-idx1-ubyte");
  writeBytes(labels, idxBytes({3}, {1, 2, 10}));
  EXPECT_EQ(errorOf([&] { loadSource("idx:" + labels + "|one_hot:10", ""); }),
            labels + ": item 2: label 10.000000 is not a class in 0..9");
}

TEST(Sources, RelativePathsStartAtTheDataDir) {
  EXPECT_EQ(resolveDataPath("a.csv", "/data"), "/data/a.csv");
  EXPECT_EQ(resolveDataPath("/abs/a.csv", "/data"), "/abs/a.csv");
}

TEST(Files, MissingFileIsAnError) {
  std::string err = errorOf([] { loadFile("/nonexistent/x.csv"); });
  EXPECT_EQ(err.rfind("/nonexistent/x.csv: cannot open", 0), 0u) << err;
  EXPECT_EQ(errorOf([] { loadFile("/tmp/x.txt"); }),
            "/tmp/x.txt: unknown data format (use .npy, .csv, .idx or -ubyte, optionally .gz)");
}

} // namespace
