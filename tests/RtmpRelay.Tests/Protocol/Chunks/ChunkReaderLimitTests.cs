using System.Buffers;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Protocol.Chunks;

/// <summary>Limits and protocol violations: each throws <see cref="RtmpProtocolException"/>, and nothing else ever escapes.</summary>
public class ChunkReaderLimitTests
{
    [Fact]
    public void TryRead_MessageLongerThanMaxMessageLength_ThrowsAtTheHeaderBeforeBuffering()
    {
        // A 16 MiB (0xFFFFFF) message announced, one byte of it sent.
        var input = new ChunkBytes().Fmt0(4, 0, 0xFFFFFF, 9, 1).Byte(0x17).ToArray();
        ChunkFeed.AssertAllFeedsThrow(input, reasonContains: "exceeds");

        // The header alone is enough to refuse it, and nothing of its size was allocated.
        using var reader = new ChunkReader(new ChunkReaderLimits { MaxMessageLength = 1024 });
        var header = new ReadOnlySequence<byte>(input, 0, 12);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<RtmpProtocolException>(() =>
        {
            var buffer = header;
            reader.TryRead(ref buffer, out _);
        });
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 16 * 1024, "the reader allocated for a message it refused");
    }

    [Fact]
    public void TryRead_MessageOfExactlyMaxMessageLength_Accepted()
    {
        var payload = ChunkBytes.Pattern(1000);
        var bytes = new ChunkBytes().Fmt0(4, 0, 1000, 9, 1);
        for (var offset = 0; offset < 1000; offset += 128)
        {
            if (offset > 0)
            {
                bytes.Fmt3(4);
            }
            bytes.Data(payload.AsSpan(offset, Math.Min(128, 1000 - offset)));
        }
        var (messages, _) = ChunkFeed.Segments(new ChunkReaderLimits { MaxMessageLength = 1000 }, bytes.ToArray());

        Assert.Equal(Convert.ToHexString(payload), Assert.Single(messages).PayloadHex);
    }

    [Fact]
    public void TryRead_MoreChunkStreamsThanMaxChunkStreams_Throws()
    {
        // A storm of chunk stream ids, each with a complete one-byte message.
        var bytes = new ChunkBytes();
        for (var csid = 3; csid < 3 + 200; csid++)
        {
            bytes.Fmt0(csid, 0, 1, 8, 1).Byte(1);
        }
        ChunkFeed.AssertAllFeedsThrow(bytes.ToArray(), new ChunkReaderLimits { MaxChunkStreams = 16 }, reasonContains: "chunk streams");
    }

    [Fact]
    public void TryRead_ExactlyMaxChunkStreams_Accepted()
    {
        var bytes = new ChunkBytes();
        for (var csid = 2; csid < 2 + 16; csid++)
        {
            bytes.Fmt0(csid, 0, 1, 8, 1).Byte(1);
        }
        var (messages, _) = ChunkFeed.Segments(new ChunkReaderLimits { MaxChunkStreams = 16 }, bytes.ToArray());

        Assert.Equal(16, messages.Count);
    }

    [Fact]
    public void TryRead_DefaultLimits_StormOfSixtyFiveThousandChunkStreamsThrows()
    {
        var bytes = new ChunkBytes();
        for (var csid = 320; csid < 320 + 1000; csid++)
        {
            bytes.Fmt0(csid, 0, 200, 8, 1).Data(ChunkBytes.Pattern(128));   // every stream mid-message
        }
        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(bytes.ToArray());
        var ex = Assert.Throws<RtmpProtocolException>(() => ChunkFeed.Read(reader, ref buffer));
        Assert.Contains(ChunkReaderLimits.Default.MaxChunkStreams.ToString(), ex.Message);
    }

    [Fact]
    public void TryRead_PartialMessagesOverMaxPendingBytesAcrossChunkStreams_Throws()
    {
        var limits = new ChunkReaderLimits { MaxMessageLength = 80_000, MaxPendingBytes = 100_000 };
        var input = new ChunkBytes()
            .Fmt0(4, 0, 60_000, 9, 1).Data(ChunkBytes.Pattern(128))
            .Fmt0(6, 0, 60_000, 9, 1).Data(ChunkBytes.Pattern(128))
            .ToArray();

        ChunkFeed.AssertAllFeedsThrow(input, limits, reasonContains: "100000");
    }

    [Fact]
    public void TryRead_ManyMessagesLargerThan64KiB_DoNotAccumulatePendingBytes()
    {
        // Product bug (ChunkReader.Grow): when a buffer grows past its first 64 KiB, the old buffer is returned to
        // the pool but its size stays counted in _pendingBytes; CompleteMessage only subtracts the last buffer.
        // Every message over 64 KiB leaks its earlier buffers' sizes, so a healthy publisher whose keyframes exceed
        // 64 KiB is eventually disconnected for "Incomplete messages would hold more than MaxPendingBytes bytes",
        // although it never has more than one incomplete message.
        var limits = new ChunkReaderLimits { MaxMessageLength = 300_000, MaxPendingBytes = 1024 * 1024 };
        var payload = ChunkBytes.Pattern(200_000);
        var one = new ChunkBytes().Fmt0(2, 0, 4, 1, 0).Hex("00010000"); // chunk size 65536
        one.Fmt0(6, 0, payload.Length, 9, 1);
        for (var offset = 0; offset < payload.Length; offset += 65536)
        {
            if (offset > 0)
            {
                one.Fmt3(6);
            }
            one.Data(payload.AsSpan(offset, Math.Min(65536, payload.Length - offset)));
        }
        var message = one.ToArray();
        using var reader = new ChunkReader(limits);

        for (var i = 0; i < 50; i++)
        {
            var buffer = new ReadOnlySequence<byte>(message);
            var messages = ChunkFeed.Read(reader, ref buffer);
            Assert.Equal(payload.Length, messages[^1].Length);
        }
    }

    [Fact]
    public void IsMidMessage_AfterAMessageLargerThan64KiBCompletes_IsFalse()
    {
        // Same bug as above, second symptom: _pendingBytes stays above 0, so IsMidMessage stays true between
        // messages and RtmpConnection arms the idle timeout for a player-like silent peer as if it were mid-message.
        var payload = ChunkBytes.Pattern(100_000);
        var bytes = new ChunkBytes().Fmt0(6, 0, payload.Length, 9, 1);
        for (var offset = 0; offset < payload.Length; offset += 128)
        {
            if (offset > 0)
            {
                bytes.Fmt3(6);
            }
            bytes.Data(payload.AsSpan(offset, Math.Min(128, payload.Length - offset)));
        }
        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(bytes.ToArray());

        Assert.Single(ChunkFeed.Read(reader, ref buffer));
        Assert.False(reader.IsMidMessage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TryRead_Fmt1Fmt2Fmt3WithoutPreviousHeader_Throws(int fmt)
    {
        var bytes = new ChunkBytes();
        _ = fmt switch
        {
            1 => bytes.Fmt1(5, 0, 1, 8),
            2 => bytes.Fmt2(5, 0),
            _ => bytes.Fmt3(5),
        };
        bytes.Byte(1);

        ChunkFeed.AssertAllFeedsThrow(bytes.ToArray(), reasonContains: "no previous header");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void TryRead_NewMessageHeaderWhileTheStreamsMessageIsIncomplete_Throws(int fmt)
    {
        var bytes = new ChunkBytes().Fmt0(5, 0, 200, 8, 1).Data(ChunkBytes.Pattern(128));
        _ = fmt switch
        {
            0 => bytes.Fmt0(5, 0, 10, 8, 1),
            1 => bytes.Fmt1(5, 0, 10, 8),
            _ => bytes.Fmt2(5, 0),
        };
        bytes.Data(ChunkBytes.Pattern(72));

        ChunkFeed.AssertAllFeedsThrow(bytes.ToArray(), reasonContains: "incomplete");
    }

    [Theory]
    [InlineData("00000000")]
    [InlineData("80000000")]
    [InlineData("FFFFFFFF")]
    public void TryRead_SetChunkSizeZeroOrTopBitSet_Throws(string value)
    {
        var input = new ChunkBytes().Fmt0(2, 0, 4, 1, 0).Hex(value).ToArray();

        ChunkFeed.AssertAllFeedsThrow(input, reasonContains: "Set Chunk Size");
    }

    [Fact]
    public void TryRead_SetChunkSizeShorterThanFourBytes_Throws()
    {
        var input = new ChunkBytes().Fmt0(2, 0, 2, 1, 0).Hex("0100").ToArray();

        ChunkFeed.AssertAllFeedsThrow(input, reasonContains: "Set Chunk Size");
    }

    [Fact]
    public void TryRead_SetChunkSizeLargest31BitValue_Accepted()
    {
        var input = new ChunkBytes().Fmt0(2, 0, 4, 1, 0).Hex("7FFFFFFF").Fmt0(4, 0, 3, 8, 1).Hex("010203").ToArray();
        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(input);

        Assert.Equal(2, ChunkFeed.Read(reader, ref buffer).Count);
        Assert.Equal(0x7FFFFFFF, reader.ChunkSize);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TryRead_RandomGarbage_ThrowsNothingButRtmpProtocolException(int seed)
    {
        var random = new Random(seed);
        var limits = new ChunkReaderLimits { MaxMessageLength = 64 * 1024, MaxChunkStreams = 8, MaxPendingBytes = 256 * 1024 };
        for (var round = 0; round < 50; round++)
        {
            var input = new byte[random.Next(0, 600)];
            random.NextBytes(input);
            FeedExpectingOnlyProtocolErrors(input, limits, random);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TryRead_MutatedValidStream_ThrowsNothingButRtmpProtocolException(int seed)
    {
        var random = new Random(seed);
        var valid = ValidStream();
        var limits = new ChunkReaderLimits { MaxMessageLength = 64 * 1024, MaxChunkStreams = 8, MaxPendingBytes = 256 * 1024 };
        for (var round = 0; round < 50; round++)
        {
            var input = (byte[])valid.Clone();
            var flips = random.Next(1, 6);
            for (var i = 0; i < flips; i++)
            {
                input[random.Next(input.Length)] = (byte)random.Next(256);
            }
            var cut = random.Next(input.Length / 2, input.Length + 1);
            FeedExpectingOnlyProtocolErrors(input[..cut], limits, random);
        }
    }

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 20));

    private static byte[] ValidStream()
    {
        var output = new ArrayBufferWriter<byte>();
        ControlMessages.WriteSetChunkSize(output, 200, 128);
        ChunkWriter.Write(output, 4, RtmpMessageType.Audio, 0, 1, ChunkBytes.Pattern(500), 200);
        ChunkWriter.Write(output, 70, RtmpMessageType.Video, 0x1000000, 1, ChunkBytes.Pattern(450), 200);
        ControlMessages.WriteUserControl(output, UserControlEventType.PingRequest, 5, 200);
        ChunkWriter.Write(output, 400, RtmpMessageType.DataAmf0, 33, 1, ChunkBytes.Pattern(20), 200);
        var tail = new ChunkBytes().Fmt2(4, 20).Data(ChunkBytes.Pattern(200)).Fmt3(4).Data(ChunkBytes.Pattern(200)).Fmt3(4).Data(ChunkBytes.Pattern(100));
        return [.. output.WrittenSpan, .. tail.ToArray()];
    }

    private static void FeedExpectingOnlyProtocolErrors(byte[] input, ChunkReaderLimits limits, Random random)
    {
        ReadOnlyMemory<byte> memory = input;
        var a = random.Next(input.Length + 1);
        var b = random.Next(input.Length + 1);
        var feeds = new List<Func<(List<MessageSnapshot>, int)>>
        {
            () => ChunkFeed.Segments(limits, memory),
            () => ChunkFeed.Arrivals([memory[..Math.Min(a, b)], memory[Math.Min(a, b)..Math.Max(a, b)], memory[Math.Max(a, b)..]], limits),
            () => ChunkFeed.Segments(limits, memory[..a], memory[a..]),
        };
        if (input.Length <= 200)
        {
            feeds.Add(() => ChunkFeed.Arrivals(Enumerable.Range(0, input.Length).Select(i => memory.Slice(i, 1)), limits));
        }
        foreach (var feed in feeds)
        {
            try
            {
                feed();
            }
            catch (RtmpProtocolException ex) when (ex.GetType() == typeof(RtmpProtocolException))
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"Input {Convert.ToHexString(input)} threw {ex}");
            }
        }
    }
}
