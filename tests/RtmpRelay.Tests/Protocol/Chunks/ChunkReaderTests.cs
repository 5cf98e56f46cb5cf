using System.Buffers;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Protocol.Chunks;

/// <summary>
/// Chunk parsing from hand-written bytes (Adobe RTMP 1.0, 5.3). Every case is fed whole, byte by byte, and split at
/// every offset into two and three segments (see <see cref="ChunkFeed"/>): the messages must not depend on how the
/// bytes arrived.
/// </summary>
public class ChunkReaderTests
{
    private const RtmpMessageType Audio = RtmpMessageType.Audio;
    private const RtmpMessageType Video = RtmpMessageType.Video;

    private static MessageSnapshot Msg(RtmpMessageType type, uint timestamp, uint streamId, int csid, ReadOnlySpan<byte> payload) =>
        new(type, timestamp, streamId, csid, payload);

    [Fact]
    public void TryRead_Fmt0SingleChunk_ReturnsTheMessage()
    {
        // csid 3 | ts 1000 | length 5 | type 20 (command) | message stream id 1 (little-endian) | "hello"
        var input = ChunkBytes.Bytes("03 0003E8 000005 14 01000000 68656C6C6F");

        ChunkFeed.AssertAllFeeds(input, [Msg(RtmpMessageType.CommandAmf0, 1000, 1, 3, "hello"u8)]);
    }

    [Fact]
    public void TryRead_MessageStreamId_IsLittleEndian()
    {
        var input = ChunkBytes.Bytes("04 000000 000001 08 39300000 AA");

        ChunkFeed.AssertAllFeeds(input, [Msg(Audio, 0, 12345, 4, [0xAA])]);
    }

    [Fact]
    public void TryRead_SpecExample1Fmt0ThenFmt2ThenFmt3_TimestampsAdvanceByTheDelta()
    {
        // Adobe RTMP 1.0, 5.3.2.1: four 32-byte audio messages, timestamps 1000, 1020, 1040, 1060.
        var p = Enumerable.Range(0, 4).Select(i => ChunkBytes.Pattern(32, seed: i)).ToArray();
        var input = new ChunkBytes()
            .Hex("03 0003E8 000020 08 39300000").Data(p[0])
            .Hex("83 000014").Data(p[1])
            .Hex("C3").Data(p[2])
            .Hex("C3").Data(p[3])
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(Audio, 1000, 12345, 3, p[0]),
            Msg(Audio, 1020, 12345, 3, p[1]),
            Msg(Audio, 1040, 12345, 3, p[2]),
            Msg(Audio, 1060, 12345, 3, p[3]),
        ]);
    }

    [Fact]
    public void TryRead_SpecExample2MessageOverThreeChunks_Reassembled()
    {
        // Adobe RTMP 1.0, 5.3.2.2: a 307-byte video message, chunk size 128: fmt 0 + 128, fmt 3 + 128, fmt 3 + 51.
        var payload = ChunkBytes.Pattern(307);
        var input = new ChunkBytes()
            .Hex("04 0003E8 000133 09 3A300000").Data(payload.AsSpan(0, 128))
            .Hex("C4").Data(payload.AsSpan(128, 128))
            .Hex("C4").Data(payload.AsSpan(256))
            .ToArray();

        ChunkFeed.AssertAllFeeds(input, [Msg(Video, 1000, 12346, 4, payload)]);
    }

    [Fact]
    public void TryRead_Fmt1Fmt2Fmt3_InheritStreamIdLengthAndTypeAndAddDeltas()
    {
        var input = ChunkBytes.Bytes(
            "05 000064 000003 08 07000000 010203" + // fmt 0: ts 100, length 3, audio, msid 7
            "45 000014 000002 09 0405" +            // fmt 1: delta 20, length 2, video -> ts 120
            "85 00001E 0607" +                      // fmt 2: delta 30 -> ts 150, length 2, video
            "C5 0809" +                             // fmt 3: new message, delta 30 again -> ts 180
            "45 000000 000001 12 0A" +              // fmt 1: delta 0, length 1, data (18) -> ts 180
            "C5 0B");                               // fmt 3: delta 0 -> ts 180

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(Audio, 100, 7, 5, [1, 2, 3]),
            Msg(Video, 120, 7, 5, [4, 5]),
            Msg(Video, 150, 7, 5, [6, 7]),
            Msg(Video, 180, 7, 5, [8, 9]),
            Msg(RtmpMessageType.DataAmf0, 180, 7, 5, [0x0A]),
            Msg(RtmpMessageType.DataAmf0, 180, 7, 5, [0x0B]),
        ]);
    }

    [Theory]
    [InlineData(2, "02", "C2", "82")]
    [InlineData(63, "3F", "FF", "BF")]
    [InlineData(64, "00 00", "C0 00", "80 00")]
    [InlineData(319, "00 FF", "C0 FF", "80 FF")]
    [InlineData(320, "01 00 01", "C1 00 01", "81 00 01")]
    [InlineData(65599, "01 FF FF", "C1 FF FF", "81 FF FF")]
    public void TryRead_BasicHeaderOf1To3Bytes_ChunkStreamIdDecoded(int csid, string fmt0Basic, string fmt3Basic, string fmt2Basic)
    {
        // A 200-byte message over two chunks (fmt 0 + fmt 3 continuation), then a 200-byte fmt 2 message (+ fmt 3).
        var first = ChunkBytes.Pattern(200, seed: 1);
        var second = ChunkBytes.Pattern(200, seed: 2);
        var input = new ChunkBytes()
            .Hex(fmt0Basic).Hex("000010 0000C8 09 01000000").Data(first.AsSpan(0, 128))
            .Hex(fmt3Basic).Data(first.AsSpan(128))
            .Hex(fmt2Basic).Hex("000021").Data(second.AsSpan(0, 128))
            .Hex(fmt3Basic).Data(second.AsSpan(128))
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(Video, 16, 1, csid, first),
            Msg(Video, 16 + 33, 1, csid, second),
        ]);
    }

    [Fact]
    public void TryRead_ChunkBytesBuilder_WritesTheBasicHeadersOfTheSpec()
    {
        // The builder used by the other cases agrees with the hand-written forms above.
        Assert.Equal(ChunkBytes.Bytes("3F"), new ChunkBytes().Basic(0, 63).ToArray());
        Assert.Equal(ChunkBytes.Bytes("C0 FF"), new ChunkBytes().Basic(3, 319).ToArray());
        Assert.Equal(ChunkBytes.Bytes("41 00 01"), new ChunkBytes().Basic(1, 320).ToArray());
        Assert.Equal(ChunkBytes.Bytes("81 FF FF"), new ChunkBytes().Basic(2, 65599).ToArray());
    }

    [Fact]
    public void TryRead_ExtendedTimestampOnFmt0RepeatedOnContinuation_Read()
    {
        var payload = ChunkBytes.Pattern(200);
        var input = ChunkBytes.Bytes(
            "06 FFFFFF 0000C8 09 01000000 01020304" + Convert.ToHexString(payload, 0, 128) +
            "C6 01020304" + Convert.ToHexString(payload, 128, 72));

        ChunkFeed.AssertAllFeeds(input, [Msg(Video, 0x01020304, 1, 6, payload)]);
    }

    [Fact]
    public void TryRead_ExtendedTimestampOnFmt0NotRepeatedOnContinuation_Read()
    {
        // librtmp-derived peers omit the 4 bytes on continuation chunks: they are data.
        var payload = ChunkBytes.Pattern(200);
        var input = ChunkBytes.Bytes(
            "06 FFFFFF 0000C8 09 01000000 01020304" + Convert.ToHexString(payload, 0, 128) +
            "C6" + Convert.ToHexString(payload, 128, 72));

        ChunkFeed.AssertAllFeeds(input, [Msg(Video, 0x01020304, 1, 6, payload)]);
    }

    [Fact]
    public void TryRead_ExtendedTimestampOverManyContinuations_EachRepeatRead()
    {
        var payload = ChunkBytes.Pattern(300);
        var bytes = new ChunkBytes().Fmt0(7, 0xFFFFFF, 300, 8, 1).Extended(0xFFFFFF).Data(payload.AsSpan(0, 128));
        bytes.Fmt3(7).Extended(0xFFFFFF).Data(payload.AsSpan(128, 128));
        bytes.Fmt3(7).Extended(0xFFFFFF).Data(payload.AsSpan(256));

        ChunkFeed.AssertAllFeeds(bytes.ToArray(), [Msg(Audio, 0xFFFFFF, 1, 7, payload)]);
    }

    [Fact]
    public void TryRead_ExtendedDeltaOnFmt1AndFmt2AndNewFmt3Message_Added()
    {
        var input = new ChunkBytes()
            .Fmt0(4, 1000, 1, 8, 1).Byte(0x01)
            .Fmt1(4, 0xFFFFFF, 1, 8).Extended(0x01000000).Byte(0x02)   // + 0x01000000
            .Fmt2(4, 0xFFFFFF).Extended(0x00FFFFFF).Byte(0x03)         // + 0x00FFFFFF
            .Fmt3(4).Extended(0x00FFFFFF).Byte(0x04)                   // new message: same delta, extended field repeated
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(Audio, 1000, 1, 4, [1]),
            Msg(Audio, 1000 + 0x01000000, 1, 4, [2]),
            Msg(Audio, 1000 + 0x01000000 + 0x00FFFFFF, 1, 4, [3]),
            Msg(Audio, 1000 + 0x01000000 + 2 * 0x00FFFFFF, 1, 4, [4]),
        ]);
    }

    [Fact]
    public void TryRead_AudioAndVideoInterleavedChunkByChunk_BothReassembled()
    {
        var audio = ChunkBytes.Pattern(300, seed: 10);
        var video = ChunkBytes.Pattern(300, seed: 20);
        var input = new ChunkBytes()
            .Fmt0(4, 40, 300, 8, 1).Data(audio.AsSpan(0, 128))
            .Fmt0(6, 33, 300, 9, 1).Data(video.AsSpan(0, 128))
            .Fmt3(4).Data(audio.AsSpan(128, 128))
            .Fmt3(6).Data(video.AsSpan(128, 128))
            .Fmt0(2, 0, 6, 4, 0).Hex("0006 00000007")               // a ping request between two chunks
            .Fmt3(4).Data(audio.AsSpan(256))
            .Fmt3(6).Data(video.AsSpan(256))
            .Fmt2(4, 23).Data(audio.AsSpan(0, 128))                  // second round: fmt 2 (same length and type)
            .Fmt2(6, 33).Data(video.AsSpan(0, 128))
            .Fmt3(6).Data(video.AsSpan(128, 128))
            .Fmt3(4).Data(audio.AsSpan(128, 128))
            .Fmt3(6).Data(video.AsSpan(256))
            .Fmt3(4).Data(audio.AsSpan(256))
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(RtmpMessageType.UserControl, 0, 0, 2, ChunkBytes.Bytes("0006 00000007")),
            Msg(Audio, 40, 1, 4, audio),
            Msg(Video, 33, 1, 6, video),
            Msg(Video, 66, 1, 6, video),
            Msg(Audio, 63, 1, 4, audio),
        ]);
    }

    [Fact]
    public void TryRead_SetChunkSize_FollowingChunksUseTheNewSize()
    {
        var payload = ChunkBytes.Pattern(300);
        var input = new ChunkBytes()
            .Fmt0(2, 0, 4, 1, 0).Hex("00000100")                    // Set Chunk Size 256
            .Fmt0(4, 0, 300, 9, 1).Data(payload.AsSpan(0, 256))
            .Fmt3(4).Data(payload.AsSpan(256))
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(RtmpMessageType.SetChunkSize, 0, 0, 2, ChunkBytes.Bytes("00000100")),
            Msg(Video, 0, 1, 4, payload),
        ]);

        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(input);
        ChunkFeed.Read(reader, ref buffer);
        Assert.Equal(256, reader.ChunkSize);
    }

    [Fact]
    public void TryRead_SetChunkSizeWhileAnotherMessageIsPartial_ItsNextChunkUsesTheNewSize()
    {
        var payload = ChunkBytes.Pattern(300);
        var input = new ChunkBytes()
            .Fmt0(4, 0, 300, 9, 1).Data(payload.AsSpan(0, 128))      // chunk size 128
            .Fmt0(2, 0, 4, 1, 0).Hex("00001000")                     // Set Chunk Size 4096
            .Fmt3(4).Data(payload.AsSpan(128))                       // the 172 bytes left, in one chunk
            .Fmt0(4, 10, 5000, 9, 1).Data(ChunkBytes.Pattern(4096, 3))
            .Fmt3(4).Data(ChunkBytes.Pattern(5000, 3).AsSpan(4096))
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(RtmpMessageType.SetChunkSize, 0, 0, 2, ChunkBytes.Bytes("00001000")),
            Msg(Video, 0, 1, 4, payload),
            Msg(Video, 10, 1, 4, ChunkBytes.Pattern(5000, 3)),
        ]);
    }

    [Fact]
    public void TryRead_Abort_DiscardsThePartialMessage()
    {
        var input = new ChunkBytes()
            .Fmt0(4, 0, 300, 9, 1).Data(ChunkBytes.Pattern(128))     // 128 of 300 bytes
            .Fmt0(2, 0, 4, 2, 0).Hex("00000004")                     // Abort chunk stream 4
            .Fmt0(4, 50, 3, 8, 1).Hex("0A0B0C")                      // a new message on the same chunk stream
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(RtmpMessageType.Abort, 0, 0, 2, ChunkBytes.Bytes("00000004")),
            Msg(Audio, 50, 1, 4, [0x0A, 0x0B, 0x0C]),
        ]);
    }

    [Fact]
    public void TryRead_AbortOfThePartialMessage_NoLongerMidMessage()
    {
        var input = new ChunkBytes()
            .Fmt0(4, 0, 300, 9, 1).Data(ChunkBytes.Pattern(128))
            .Fmt0(2, 0, 4, 2, 0).Hex("00000004")
            .ToArray();
        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(input, 0, 12 + 128);
        Assert.Empty(ChunkFeed.Read(reader, ref buffer));
        Assert.True(reader.IsMidMessage);

        buffer = new ReadOnlySequence<byte>(input, 12 + 128, input.Length - 12 - 128);
        Assert.Single(ChunkFeed.Read(reader, ref buffer));
        Assert.False(reader.IsMidMessage);
    }

    [Fact]
    public void TryRead_Fmt2AfterAbort_ReusesThePreviousHeadersMessageLength()
    {
        // Product bug (ChunkReader.ApplyControl sets the aborted stream's Length to 0): Abort discards the partial
        // message, not the chunk stream's previous header. A following fmt 2 chunk has "the same stream ID and
        // message length as the preceding chunk" (RTMP 1.0, 5.3.1.2.3), here 300 bytes.
        var payload = ChunkBytes.Pattern(300, seed: 5);
        var input = new ChunkBytes()
            .Fmt0(4, 0, 300, 9, 1).Data(ChunkBytes.Pattern(128))
            .Fmt0(2, 0, 4, 2, 0).Hex("00000004")
            .Fmt2(4, 40).Data(payload.AsSpan(0, 128))
            .Fmt3(4).Data(payload.AsSpan(128, 128))
            .Fmt3(4).Data(payload.AsSpan(256))
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(RtmpMessageType.Abort, 0, 0, 2, ChunkBytes.Bytes("00000004")),
            Msg(Video, 40, 1, 4, payload),
        ]);
    }

    [Fact]
    public void TryRead_ZeroLengthMessages_ReturnedEmpty()
    {
        var input = new ChunkBytes()
            .Fmt0(5, 10, 0, 18, 1)          // zero-length data message at ts 10
            .Fmt2(5, 5)                     // another, ts 15
            .Fmt3(5)                        // and another, ts 20
            .Fmt0(5, 30, 2, 18, 1).Hex("0102")
            .ToArray();

        ChunkFeed.AssertAllFeeds(input,
        [
            Msg(RtmpMessageType.DataAmf0, 10, 1, 5, []),
            Msg(RtmpMessageType.DataAmf0, 15, 1, 5, []),
            Msg(RtmpMessageType.DataAmf0, 20, 1, 5, []),
            Msg(RtmpMessageType.DataAmf0, 30, 1, 5, [1, 2]),
        ]);
    }

    [Fact]
    public void TryRead_DeltasAccumulate_AndWrapAt32Bits()
    {
        var bytes = new ChunkBytes()
            .Fmt0(4, 0xFFFFFF, 1, 8, 1).Extended(0xFFFFFFF0).Byte(0)
            .Fmt2(4, 0x20).Byte(1)          // 0xFFFFFFF0 + 0x20 wraps to 0x10
            .Fmt3(4).Byte(2);               // 0x30
        var expected = new List<MessageSnapshot>
        {
            Msg(Audio, 0xFFFFFFF0, 1, 4, [0]),
            Msg(Audio, 0x10, 1, 4, [1]),
            Msg(Audio, 0x30, 1, 4, [2]),
        };
        for (var i = 0; i < 20; i++)
        {
            bytes.Fmt2(4, 23).Byte((byte)(3 + i));
            expected.Add(Msg(Audio, 0x30 + 23 * (uint)(i + 1), 1, 4, [(byte)(3 + i)]));
        }

        ChunkFeed.AssertAllFeeds(bytes.ToArray(), expected);
    }

    [Fact]
    public void TryRead_ChunkDataArrivingInPieces_ConsumedAsItArrives()
    {
        // The reader copies the front of a chunk whose rest has not arrived, so the transport buffer never grows.
        var payload = ChunkBytes.Pattern(100);
        var input = new ChunkBytes().Fmt0(4, 0, 100, 9, 1).Data(payload).ToArray();
        using var reader = new ChunkReader();

        var buffer = new ReadOnlySequence<byte>(input, 0, 12 + 40);
        Assert.False(reader.TryRead(ref buffer, out _));
        Assert.Equal(0, buffer.Length);
        Assert.True(reader.IsMidMessage);

        buffer = new ReadOnlySequence<byte>(input, 12 + 40, 60);
        Assert.True(reader.TryRead(ref buffer, out var message));
        Assert.Equal(payload, message.Span.ToArray());
        message.Release();
        Assert.False(reader.IsMidMessage);
    }

    [Fact]
    public void TryRead_IncompleteHeader_ConsumesNothing()
    {
        var input = new ChunkBytes().Fmt0(320, 0xFFFFFF, 1, 9, 1).Extended(5).Byte(1).ToArray();
        using var reader = new ChunkReader();
        for (var length = 0; length < input.Length - 1; length++)
        {
            var buffer = new ReadOnlySequence<byte>(input, 0, length);
            Assert.False(reader.TryRead(ref buffer, out _));
            Assert.Equal(length, buffer.Length);
        }
    }
}
