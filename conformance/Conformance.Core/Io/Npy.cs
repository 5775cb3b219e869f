using System.Buffers.Binary;
using System.Text;
using Conformance.Reference;

namespace Conformance.Core.Io;

/// <summary>The element type of a .npy file this project writes.</summary>
public enum NpyDType
{
    /// <summary>'&lt;f8': IEEE double, little-endian; holds any tensor value exactly.</summary>
    Float64,

    /// <summary>'&lt;f4': IEEE single, little-endian; values are rounded to nearest.</summary>
    Float32,

    /// <summary>'&lt;i8': signed 64-bit integers, little-endian (indices, class labels); values must be integers.</summary>
    Int64,
}

/// <summary>
/// Reads and writes numpy .npy files (format versions 1.0, 2.0 and 3.0) as <see cref="Tensor"/>s.
/// Reading accepts C-order float32/float64 data in either byte order, and integer data only
/// when asked (class labels); everything else is an <see cref="OpArgumentException"/> naming the
/// file, what was expected and what was found. Writing produces version 1.0 and never leaves a
/// partial file: data goes to a temporary file in the target folder that is renamed at the end.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int ChunkElements = 8192;

    /// <summary>
    /// Reads the .npy file at <paramref name="path"/>. <paramref name="allowIntegers"/> also
    /// accepts integer dtypes (i1..i8, u1..u8), as class labels need; their values must be
    /// exactly representable as doubles. <paramref name="argument"/> names the file in errors
    /// (default: the path).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="OpArgumentException">The file is not a .npy array this reader accepts.</exception>
    public static Tensor Read(string path, bool allowIntegers = false, string? argument = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        argument ??= path;
        if (!File.Exists(path))
            throw new FileNotFoundException($"argument '{argument}': expected an existing .npy file, got no file at '{path}'", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, argument, allowIntegers);
    }

    /// <summary>Reads one .npy array from <paramref name="stream"/>, which must end right after the data.</summary>
    public static Tensor Read(Stream stream, string argument, bool allowIntegers = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = ReadHeader(stream, argument);
        var type = ElementType.Parse(header.Descr, allowIntegers, argument);
        if (header.FortranOrder)
            throw new OpArgumentException(argument, "fortran_order False (C, row-major order)", "fortran_order True");
        int count = Tensor.SizeOf(header.Shape, argument);
        long expectedBytes = (long)count * type.Size;
        string what = $"{expectedBytes} data bytes for dtype '{header.Descr}' and shape {Tensor.Format(header.Shape)}";
        if (stream.CanSeek && stream.Length - stream.Position != expectedBytes)
            throw new OpArgumentException(argument, what, $"{stream.Length - stream.Position} bytes");

        var data = new double[count];
        var buffer = new byte[Math.Min(count, ChunkElements) * type.Size];
        for (int done = 0; done < count;)
        {
            int n = Math.Min(count - done, ChunkElements);
            int got = ReadFully(stream, buffer.AsSpan(0, n * type.Size));
            if (got < n * type.Size)
                throw new OpArgumentException(argument, what, $"{(long)done * type.Size + got} bytes (truncated)");
            for (int i = 0; i < n; i++)
                data[done + i] = type.Decode(buffer.AsSpan(i * type.Size, type.Size), argument, done + i);
            done += n;
        }
        if (stream.ReadByte() != -1)
            throw new OpArgumentException(argument, what, "more bytes after the data");
        return new Tensor(header.Shape, data);
    }

    /// <summary>
    /// Writes <paramref name="tensor"/> to <paramref name="path"/> as a version 1.0 .npy file,
    /// replacing any file there only once the whole file is written.
    /// </summary>
    public static void Write(string path, Tensor tensor, NpyDType dtype = NpyDType.Float64) =>
        WriteAll([(path, tensor)], dtype);

    /// <summary>
    /// Writes several files all or nothing: every file is first written in full to a temporary
    /// file beside its target; only then are they renamed into place. On any error the
    /// temporary files, and targets already renamed, are deleted and the error is rethrown.
    /// </summary>
    public static void WriteAll(IReadOnlyList<(string Path, Tensor Tensor)> files, NpyDType dtype = NpyDType.Float64)
    {
        ArgumentNullException.ThrowIfNull(files);
        AtomicFile.WriteAll(files.Select(f => (f.Path, (Action<Stream>)(s => Write(s, f.Tensor, dtype)))).ToList());
    }

    /// <summary>Writes one version 1.0 .npy array (header and data) to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Tensor tensor, NpyDType dtype = NpyDType.Float64)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        int size = dtype == NpyDType.Float32 ? 4 : 8;
        string dict = NpyHeader.Format(dtype switch { NpyDType.Float32 => "<f4", NpyDType.Int64 => "<i8", _ => "<f8" }, tensor.Shape);
        if (dtype == NpyDType.Int64 && tensor.Data.Any(v => v != Math.Floor(v) || Math.Abs(v) > 1L << 53))
            throw new OpArgumentException("dtype", "integer values for <i8", "a tensor with non-integer values");
        // numpy pads the header with spaces so that the data starts at a multiple of 64 bytes.
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int headerLength = dict.Length + 1 + (64 - unpadded % 64) % 64;
        if (headerLength > ushort.MaxValue)
            throw new OpArgumentException("shape", "a header under 64 KiB (format 1.0)", $"shape {Tensor.Format(tensor.Shape)}");
        var head = new byte[Magic.Length + 4 + headerLength];
        Magic.CopyTo(head, 0);
        head[6] = 1;
        head[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(8), (ushort)headerLength);
        Encoding.ASCII.GetBytes(dict.PadRight(headerLength - 1) + "\n", head.AsSpan(10));
        stream.Write(head);

        var buffer = new byte[Math.Min(tensor.Length, ChunkElements) * size];
        for (int done = 0; done < tensor.Length;)
        {
            int n = Math.Min(tensor.Length - done, ChunkElements);
            for (int i = 0; i < n; i++)
            {
                double v = tensor.Data[done + i];
                if (dtype == NpyDType.Int64) BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(i * 8), (long)v);
                else if (size == 4) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), (float)v);
                else BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(i * 8), v);
            }
            stream.Write(buffer, 0, n * size);
            done += n;
        }
    }

    /// <summary>Parses a dtype name for writing: f8, float64, &lt;f8, f4, float32 or &lt;f4.</summary>
    public static NpyDType ParseDType(string text, string argument) => text.Trim().ToLowerInvariant() switch
    {
        "f8" or "<f8" or "float64" or "double" => NpyDType.Float64,
        "f4" or "<f4" or "float32" or "float" => NpyDType.Float32,
        _ => throw new OpArgumentException(argument, "f8 or f4", $"'{text}'"),
    };

    private static NpyHeader ReadHeader(Stream stream, string argument)
    {
        var prefix = new byte[8];
        int got = ReadFully(stream, prefix);
        if (got < 8 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new OpArgumentException(argument, "a .npy file starting with \\x93NUMPY",
                got == 0 ? "an empty file" : $"first bytes {Convert.ToHexString(prefix, 0, got)}");
        int major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw new OpArgumentException(argument, ".npy format version 1.0, 2.0 or 3.0", $"version {major}.{minor}");
        var lengthBytes = new byte[major == 1 ? 2 : 4];
        if (ReadFully(stream, lengthBytes) < lengthBytes.Length)
            throw new OpArgumentException(argument, "a complete .npy header", "a file that ends inside the header length");
        long length = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (length > 1 << 20 || (stream.CanSeek && length > stream.Length - stream.Position))
            throw new OpArgumentException(argument, "a complete .npy header", $"a header length of {length} bytes beyond the end of the file");
        var headerBytes = new byte[length];
        if (ReadFully(stream, headerBytes) < length)
            throw new OpArgumentException(argument, "a complete .npy header", "a file that ends inside the header");
        // Versions 1 and 2 store the header as latin-1, version 3 as UTF-8.
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        return NpyHeader.Parse(text, argument);
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>A numpy element type this reader decodes: kind (f, i, u), size and byte order.</summary>
    private sealed record ElementType(char Kind, int Size, bool BigEndian)
    {
        public static ElementType Parse(string descr, bool allowIntegers, string argument)
        {
            string expected = allowIntegers
                ? "dtype '<f4' or '<f8' or an integer dtype ('<i1'..'<i8', '|u1'..'<u8'), either byte order"
                : "dtype '<f4' or '<f8' (either byte order; integer dtypes only for labels)";
            string d = descr.Trim();
            char order = d.Length > 0 && "<>|=".Contains(d[0]) ? d[0] : '=';
            string body = d.Length > 0 && "<>|=".Contains(d[0]) ? d[1..] : d;
            if (body.Length < 2 || !int.TryParse(body.AsSpan(1), out int size))
                throw new OpArgumentException(argument, expected, $"'{descr}'");
            char kind = body[0];
            bool ok = kind == 'f' ? size is 4 or 8 : (kind is 'i' or 'u') && allowIntegers && size is 1 or 2 or 4 or 8;
            if (!ok) throw new OpArgumentException(argument, expected, $"'{descr}'");
            // '|' means "byte order not applicable", which numpy writes only for one-byte types.
            if (order == '|' && size != 1)
                throw new OpArgumentException(argument, $"byte order '<' or '>' for the {size}-byte dtype", $"'{descr}'");
            bool big = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
            return new ElementType(kind, size, big);
        }

        public double Decode(ReadOnlySpan<byte> b, string argument, int index)
        {
            if (Kind == 'f')
                return Size == 4
                    ? (BigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b))
                    : (BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b));
            if (Kind == 'u' && Size == 8)
            {
                ulong u = BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
                if (u > 1UL << 53) throw Inexact(argument, u.ToString(), index);
                return u;
            }
            long v = (Kind, Size) switch
            {
                ('i', 1) => (sbyte)b[0],
                ('u', 1) => b[0],
                ('i', 2) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
                ('u', 2) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
                ('i', 4) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
                ('u', 4) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
                _ => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
            };
            // Beyond 2^53 a double would silently round the integer to a neighbour.
            if (v > 1L << 53 || v < -(1L << 53)) throw Inexact(argument, v.ToString(), index);
            return v;
        }

        private static OpArgumentException Inexact(string argument, string value, int index) =>
            new(argument, "integers of magnitude at most 2^53 (exact as doubles)", $"{value} at element {index}");
    }
}
