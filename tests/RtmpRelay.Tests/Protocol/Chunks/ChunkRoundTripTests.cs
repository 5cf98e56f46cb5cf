using System.Buffers;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Protocol.Chunks;

/// <summary>ChunkWriter output read back by ChunkReader, around chunk-size boundaries, for every basic header size.</summary>
public class ChunkRoundTripTests
{
    private static readonly int[] ChunkStreamIds = [3, 63, 64, 319, 320, 65599];
    private static readonly uint[] Timestamps = [0, 1000, 0xFFFFFE, 0xFFFFFF, 0x1000000, 0xFFFFFFFF];

    public static TheoryData<int> ChunkSizes() => new(1, 128, 4096, 65536);

    private static int[] PayloadSizes(int chunkSize) =>
        new[] { 0, 1, 2, 5, chunkSize - 1, chunkSize, chunkSize + 1, 2 * chunkSize - 1, 2 * chunkSize, 2 * chunkSize + 1, 3 * chunkSize + 7, 1000 }
            .Where(n => n >= 0).Distinct().ToArray();

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void WriteThenRead_EveryPayloadSizeChunkStreamAndTimestamp_SameMessages(int chunkSize)
    {
        var output = new ArrayBufferWriter<byte>();
        ControlMessages.WriteSetChunkSize(output, chunkSize, 128);
        var expected = new List<MessageSnapshot>
        {
            new(RtmpMessageType.SetChunkSize, 0, 0, 2, new byte[] { (byte)(chunkSize >> 24), (byte)(chunkSize >> 16), (byte)(chunkSize >> 8), (byte)chunkSize }),
        };
        var n = 0;
        foreach (var size in PayloadSizes(chunkSize))
        {
            foreach (var csid in ChunkStreamIds)
            {
                // Every timestamp for the boundary sizes; one (rotating) for the rest, to keep the stream small.
                foreach (var timestamp in size <= 2 * 4096 + 1 || chunkSize == 1 ? Timestamps : [Timestamps[n % Timestamps.Length]])
                {
                    var payload = ChunkBytes.Pattern(size, seed: n++);
                    var type = n % 2 == 0 ? RtmpMessageType.Video : RtmpMessageType.Audio;
                    var before = output.WrittenCount;
                    ChunkWriter.Write(output, csid, type, timestamp, (uint)(n % 3), payload, chunkSize);
                    Assert.Equal(ChunkWriter.GetChunkedLength(csid, timestamp, size, chunkSize), output.WrittenCount - before);
                    expected.Add(new MessageSnapshot(type, timestamp, (uint)(n % 3), csid, payload));
                }
            }
        }
        var input = output.WrittenSpan.ToArray();

        // Whole, and at seeded split points as segments and as separate arrivals.
        var (whole, left) = ChunkFeed.Segments(null, input);
        Assert.Equal(expected, whole);
        Assert.Equal(0, left);
        var random = new Random(chunkSize);
        for (var i = 0; i < 20; i++)
        {
            var cuts = Enumerable.Range(0, 1 + random.Next(6)).Select(_ => random.Next(input.Length + 1)).Order().ToArray();
            var parts = new List<ReadOnlyMemory<byte>>();
            var start = 0;
            foreach (var cut in cuts.Append(input.Length))
            {
                parts.Add(input.AsMemory(start, cut - start));
                start = cut;
            }
            Assert.Equal(expected, ChunkFeed.Arrivals(parts).Messages);
            Assert.Equal(expected, ChunkFeed.Segments(null, [.. parts]).Messages);
        }
    }

    [Theory]
    [InlineData(3, 0u, 0, 128)]
    [InlineData(3, 0u, 300, 128)]
    [InlineData(64, 0xFFFFFFu, 300, 128)]
    [InlineData(320, 0x12345678u, 257, 128)]
    [InlineData(65599, 0xFFFFFFFFu, 40, 1)]
    [InlineData(2, 7u, 129, 64)]
    public void WriteThenRead_OneMessage_SameInEveryFeed(int csid, uint timestamp, int size, int chunkSize)
    {
        var output = new ArrayBufferWriter<byte>();
        ControlMessages.WriteSetChunkSize(output, chunkSize, 128);
        var payload = ChunkBytes.Pattern(size, seed: 3);
        ChunkWriter.Write(output, csid, RtmpMessageType.Video, timestamp, 1, payload, chunkSize);

        ChunkFeed.AssertAllFeeds(output.WrittenSpan.ToArray(),
        [
            new(RtmpMessageType.SetChunkSize, 0, 0, 2, new byte[] { (byte)(chunkSize >> 24), (byte)(chunkSize >> 16), (byte)(chunkSize >> 8), (byte)chunkSize }),
            new(RtmpMessageType.Video, timestamp, 1, csid, payload),
        ]);
    }

    [Theory]
    [InlineData(3, 0u, 0, 128, 12)]
    [InlineData(3, 0u, 128, 128, 12 + 128)]
    [InlineData(3, 0u, 129, 128, 12 + 129 + 1)]
    [InlineData(64, 0u, 129, 128, 13 + 129 + 2)]
    [InlineData(320, 0u, 129, 128, 14 + 129 + 3)]
    [InlineData(3, 0xFFFFFFu, 0, 128, 16)]
    [InlineData(3, 0xFFFFFFu, 300, 128, 16 + 300 + 2 * 5)]
    [InlineData(65599, 0xFFFFFFFFu, 3, 1, 18 + 3 + 2 * 7)]
    public void GetChunkedLength_KnownShapes_MatchesWhatWriteWrites(int csid, uint timestamp, int size, int chunkSize, int expected)
    {
        var payload = ChunkBytes.Pattern(size);
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, csid, RtmpMessageType.Audio, timestamp, 1, payload, chunkSize);
        var span = new byte[expected + 16];

        Assert.Equal(expected, ChunkWriter.GetChunkedLength(csid, timestamp, size, chunkSize));
        Assert.Equal(expected, output.WrittenCount);
        Assert.Equal(expected, ChunkWriter.Write(span, csid, RtmpMessageType.Audio, timestamp, 1, payload, chunkSize));
        Assert.Equal(output.WrittenSpan.ToArray(), span[..expected]);
    }

    [Fact]
    public void Write_ExtendedTimestamp_RepeatedOnEveryContinuationChunk()
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, 6, RtmpMessageType.Video, 0x01020304, 1, ChunkBytes.Pattern(300), 128);

        var expected = new ChunkBytes()
            .Fmt0(6, 0xFFFFFF, 300, 9, 1).Extended(0x01020304).Data(ChunkBytes.Pattern(300).AsSpan(0, 128))
            .Fmt3(6).Extended(0x01020304).Data(ChunkBytes.Pattern(300).AsSpan(128, 128))
            .Fmt3(6).Extended(0x01020304).Data(ChunkBytes.Pattern(300).AsSpan(256))
            .ToArray();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output.WrittenSpan));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65600)]
    public void GetBasicHeaderLength_ChunkStreamIdOutOfRange_Throws(int csid)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkWriter.GetBasicHeaderLength(csid));
    }

    [Fact]
    public void Write_PayloadOver16MiB_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ChunkWriter.Write(new byte[16], 3, RtmpMessageType.Video, 0, 1, new byte[0x1000000], 128));
    }

    [Fact]
    public void ChunkedMessage_Create_HoldsTheWritersBytesAndIsReferenceCounted()
    {
        var payload = ChunkBytes.Pattern(500);
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, 7, RtmpMessageType.Video, 40, 1, payload, 128);

        var message = ChunkedMessage.Create(7, RtmpMessageType.Video, 40, 1, payload, 128, MediaKind.KeyFrame);
        Assert.Equal(output.WrittenSpan.ToArray(), message.Bytes.ToArray());
        Assert.Equal(MediaKind.KeyFrame, message.Kind);
        Assert.Equal(40u, message.Timestamp);

        message.AddRef();
        message.Release();
        Assert.Equal(output.WrittenCount, message.Length);
        message.Release();
    }
}
