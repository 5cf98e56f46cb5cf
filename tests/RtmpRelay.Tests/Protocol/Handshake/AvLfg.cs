using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>
/// FFmpeg's additive lagged Fibonacci generator as described in docs/protocol/handshake.md (TV2), rebuilt from
/// that description: ffmpeg fills its plain C1 with <c>Next() &gt;&gt; 24</c> from an instance seeded 0xDEADC0DE.
/// </summary>
internal sealed class AvLfg
{
    private readonly uint[] _state = new uint[64];
    private int _index;

    public AvLfg(uint seed)
    {
        // state[8..63] from MD5 rounds over a 16-byte buffer that keeps bytes 5..15 between rounds.
        byte[] tmp = new byte[16];
        for (int i = 8; i < 64; i += 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(tmp, seed);
            tmp[4] = (byte)i;
            tmp = MD5.HashData(tmp);
            for (int j = 0; j < 4; j++)
                _state[i + j] = BinaryPrimitives.ReadUInt32LittleEndian(tmp.AsSpan(4 * j));
        }
    }

    public uint Next()
    {
        uint value = unchecked(_state[(_index - 24) & 63] + _state[(_index - 55) & 63]);
        _state[_index & 63] = value;
        _index++;
        return value;
    }

    /// <summary>The bytes ffmpeg puts into C1[8..1536).</summary>
    public static byte[] FfmpegC1RandomBytes()
    {
        var lfg = new AvLfg(0xDEADC0DE);
        byte[] bytes = new byte[1528];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)(lfg.Next() >> 24);
        return bytes;
    }
}
