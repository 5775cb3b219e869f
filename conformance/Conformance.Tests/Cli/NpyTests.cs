using System.Buffers.Binary;
using Conformance.Core.Io;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

public sealed class NpyTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void Float64RoundTripIsBitwise()
    {
        // Values that stress the format: subnormal, signed zero, extremes, a non-float32 value.
        double[] values = [1.0 / 3, -0.0, double.Epsilon, double.MaxValue, -1e-300, 0.1, 7, double.NegativeInfinity];
        var t = new Tensor([2, 4], values);
        var back = Npy.Read(_kit.Save("a.npy", t));
        Assert.True(back.BitwiseEquals(t));
    }

    [Fact]
    public void Float32RoundTripRoundsToNearestFloat()
    {
        var t = new Tensor([3], [1.0 / 3, 0.5, -2.75]);
        var back = Npy.Read(_kit.Save("a.npy", t, NpyDType.Float32));
        Assert.Equal([3], back.Shape);
        Assert.Equal([(double)(float)(1.0 / 3), 0.5, -2.75], back.Data);
        Assert.NotEqual(1.0 / 3, back.Data[0]);
    }

    [Fact]
    public void ScalarAndEmptyRoundTrip()
    {
        var scalar = Npy.Read(_kit.Save("s.npy", new Tensor([], [2.5])));
        Assert.Empty(scalar.Shape);
        Assert.Equal([2.5], scalar.Data);
        var empty = Npy.Read(_kit.Save("e.npy", Tensor.Zeros(0, 3)));
        Assert.Equal([0, 3], empty.Shape);
        Assert.Empty(empty.Data);
    }

    [Fact]
    public void WrittenHeaderIsWhatNumpyWrites()
    {
        string path = _kit.Save("h.npy", Tensor.Zeros(3), NpyDType.Float32);
        byte[] bytes = File.ReadAllBytes(path);
        // numpy 1.0: 10 bytes of preamble, then the dict padded with spaces and a newline so
        // the data starts at a multiple of 64 (here 128, as np.save writes for this array).
        Assert.Equal(128 + 3 * 4, bytes.Length);
        Assert.Equal(1, bytes[6]);
        Assert.Equal(118, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, 118);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", header);
        Assert.EndsWith("\n", header);
    }

    [Fact]
    public void ReadsInt64LabelsOnlyWhenAllowed()
    {
        var data = new byte[24];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), new long[] { 2, 0, 9 }[i]);
        string path = _kit.PathOf("labels.npy");
        File.WriteAllBytes(path, CliTestKit.RawNpy(CliTestKit.Header("<i8", "(3,)"), data));
        Assert.Equal([2.0, 0.0, 9.0], Npy.Read(path, allowIntegers: true).Data);
        var e = Assert.Throws<OpArgumentException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'<i8'", e.Message);
        Assert.Contains("only for labels", e.Message);
    }

    [Theory]
    [InlineData("<i4", 4)]
    [InlineData("|u1", 1)]
    [InlineData("<u2", 2)]
    [InlineData(">i8", 8)]
    public void ReadsOtherIntegerLabelTypes(string descr, int size)
    {
        var data = new byte[2 * size];
        for (int i = 0; i < 2; i++)
        {
            // Values 3 and 1, in the file's byte order.
            int v = i == 0 ? 3 : 1;
            int at = i * size + (descr[0] == '>' ? size - 1 : 0);
            data[at] = (byte)v;
        }
        string path = _kit.PathOf("l.npy");
        File.WriteAllBytes(path, CliTestKit.RawNpy(CliTestKit.Header(descr, "(2,)"), data));
        Assert.Equal([3.0, 1.0], Npy.Read(path, allowIntegers: true).Data);
    }

    [Fact]
    public void ReadsBigEndianAndVersions2And3()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteDoubleBigEndian(data, 1.5);
        BinaryPrimitives.WriteDoubleBigEndian(data.AsSpan(8), -4);
        string big = _kit.PathOf("big.npy");
        File.WriteAllBytes(big, CliTestKit.RawNpy(CliTestKit.Header(">f8", "(2,)"), data));
        Assert.Equal([1.5, -4.0], Npy.Read(big).Data);

        var f4 = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(f4, 0.25f);
        foreach (int major in new[] { 2, 3 })
        {
            string path = _kit.PathOf($"v{major}.npy");
            File.WriteAllBytes(path, CliTestKit.RawNpy(CliTestKit.Header("<f4", "(1, 1)"), f4, major));
            var t = Npy.Read(path);
            Assert.Equal([1, 1], t.Shape);
            Assert.Equal([0.25], t.Data);
        }
    }

    public static TheoryData<Whole, int, Whole> BadHeaders => new()
    {
        { new("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }"), 32, new("fortran_order False") },
        { new("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }"), 32, new("'<c16'") },
        { new("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }"), 4, new("'<f2'") },
        { new("{'descr': '|f8', 'fortran_order': False, 'shape': (2,), }"), 16, new("'|f8'") },
        { new("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }"), 16, new("structured") },
        { new("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"), 24, new("32 data bytes") },
        { new("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"), 24, new("expected 16 data bytes for dtype '<f8' and shape [2], got 24 bytes") },
        { new("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }"), 8, new("non-negative integer extents") },
        { new("{'descr': '<f8', 'fortran_order': False, 'shape': [2], }"), 16, new("a tuple of extents") },
        { new("{'descr': '<f8', 'fortran_order': False}"), 16, new("header keys descr, fortran_order, shape") },
        { new("{'descr': '<f8', 'fortran_order': False, 'shape': (2,) "), 16, new("at character") },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void RejectsWithOneMessageNamingTheFile(Whole header, int dataBytes, Whole expectedFragment)
    {
        string path = _kit.PathOf("bad.npy");
        File.WriteAllBytes(path, CliTestKit.RawNpy(header.Text, new byte[dataBytes]));
        var e = Assert.Throws<OpArgumentException>(() => Npy.Read(path, allowIntegers: true));
        Assert.Contains(path, e.Message);
        Assert.Contains(expectedFragment.Text, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void RejectsBadMagicVersionAndTruncatedFiles()
    {
        string path = _kit.PathOf("x.npy");
        File.WriteAllBytes(path, "hello, world"u8.ToArray());
        Assert.Contains("\\x93NUMPY", Assert.Throws<OpArgumentException>(() => Npy.Read(path)).Message);

        byte[] good = CliTestKit.RawNpy(CliTestKit.Header("<f8", "(4,)"), new byte[32]);
        good[6] = 4;
        File.WriteAllBytes(path, good);
        Assert.Contains("version 4.0", Assert.Throws<OpArgumentException>(() => Npy.Read(path)).Message);

        byte[] truncatedHeader = CliTestKit.RawNpy(CliTestKit.Header("<f8", "(4,)"), [])[..30];
        File.WriteAllBytes(path, truncatedHeader);
        Assert.Contains("complete .npy header", Assert.Throws<OpArgumentException>(() => Npy.Read(path)).Message);

        // A non-seekable stream finds truncation while reading rather than from the length.
        byte[] truncatedData = CliTestKit.RawNpy(CliTestKit.Header("<f8", "(4,)"), new byte[20]);
        var e = Assert.Throws<OpArgumentException>(() => Npy.Read(new NonSeekable(truncatedData), "stream"));
        Assert.Contains("32 data bytes", e.Message);
        Assert.Contains("truncated", e.Message);
        byte[] trailing = CliTestKit.RawNpy(CliTestKit.Header("<f8", "(4,)"), new byte[33]);
        Assert.Contains("more bytes after the data",
            Assert.Throws<OpArgumentException>(() => Npy.Read(new NonSeekable(trailing), "stream")).Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Npy.Read(_kit.PathOf("none.npy")));
        Assert.Contains("none.npy", e.Message);
    }

    [Fact]
    public void WriteAllLeavesNothingWhenOneFileFails()
    {
        string existing = _kit.Save("keep.npy", new Tensor([1], [5]));
        string blocked = Path.Combine(_kit.Dir, "folder.npy");
        Directory.CreateDirectory(blocked);
        Assert.Throws<OpArgumentException>(() => Npy.WriteAll(
            [(_kit.PathOf("first.npy"), Tensor.Zeros(2)), (blocked, Tensor.Zeros(2))]));
        Assert.Equal(["keep.npy"], _kit.Files());
        Assert.Equal([5.0], Npy.Read(existing).Data);
    }

    [Fact]
    public void WriteReplacesAnExistingFileWithoutTemporaries()
    {
        string path = _kit.Save("a.npy", Tensor.Zeros(100));
        Npy.Write(path, new Tensor([2], [1, 2]));
        Assert.Equal([1.0, 2.0], Npy.Read(path).Data);
        Assert.Equal(["a.npy"], _kit.Files());
    }

    [Theory]
    [InlineData("f8", NpyDType.Float64)]
    [InlineData("float32", NpyDType.Float32)]
    [InlineData("<f4", NpyDType.Float32)]
    public void ParsesDTypeNames(string text, NpyDType expected) => Assert.Equal(expected, Npy.ParseDType(text, "--dtype"));

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
