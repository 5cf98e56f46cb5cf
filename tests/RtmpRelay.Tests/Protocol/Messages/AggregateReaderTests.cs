using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Protocol.Messages;

/// <summary>Aggregate messages (type 22): a run of FLV tags split into messages rebased on the aggregate's timestamp.</summary>
public class AggregateReaderTests
{
    /// <summary>One FLV tag: type | size BE24 | timestamp BE24 | timestamp high | stream id BE24 (0) | data | back pointer BE32.</summary>
    private static byte[] Tag(byte type, uint timestamp, byte[] data, bool backPointer = true)
    {
        var tag = new List<byte>
        {
            type,
            (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length,
            (byte)(timestamp >> 16), (byte)(timestamp >> 8), (byte)timestamp, (byte)(timestamp >> 24),
            0, 0, 0,
        };
        tag.AddRange(data);
        if (backPointer)
        {
            var size = 11 + data.Length;
            tag.AddRange([(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);
        }
        return tag.ToArray();
    }

    private static List<(RtmpMessageType Type, uint Timestamp, string Data)> ReadAll(byte[] payload, uint aggregateTimestamp)
    {
        var result = new List<(RtmpMessageType, uint, string)>();
        var reader = new AggregateReader(payload, aggregateTimestamp);
        while (reader.TryReadNext(out var type, out var timestamp, out var data))
        {
            result.Add((type, timestamp, Convert.ToHexString(data)));
        }
        return result;
    }

    [Fact]
    public void TryReadNext_ThreeTags_SplitAndRebasedOnTheAggregateTimestamp()
    {
        byte[] payload =
        [
            .. Tag(9, 1000, [0x17, 0x01, 0xAA]),
            .. Tag(8, 1010, [0xAF, 0x01, 0xBB, 0xCC]),
            .. Tag(9, 1040, [0x27, 0x01, 0xDD]),
        ];

        Assert.Equal(
        [
            (RtmpMessageType.Video, 5000u, "1701AA"),
            (RtmpMessageType.Audio, 5010u, "AF01BBCC"),
            (RtmpMessageType.Video, 5040u, "2701DD"),
        ], ReadAll(payload, 5000));
    }

    [Fact]
    public void TryReadNext_TagTimestampsAboveTheAggregates_RebasedDownwards()
    {
        byte[] payload = [.. Tag(9, 90_000, [1]), .. Tag(9, 90_033, [2])];

        Assert.Equal([(RtmpMessageType.Video, 0u, "01"), (RtmpMessageType.Video, 33u, "02")], ReadAll(payload, 0));
    }

    [Fact]
    public void TryReadNext_TimestampHighByte_UsedForTheDistance()
    {
        // 0x00FFFFF0 then 0x01000010 (the second needs the high byte): 0x20 apart.
        byte[] payload = [.. Tag(8, 0x00FFFFF0, [1]), .. Tag(8, 0x01000010, [2])];

        Assert.Equal([(RtmpMessageType.Audio, 100u, "01"), (RtmpMessageType.Audio, 132u, "02")], ReadAll(payload, 100));
    }

    [Fact]
    public void TryReadNext_LastBackPointerMissing_StillRead()
    {
        byte[] payload = [.. Tag(9, 0, [1]), .. Tag(18, 0, [2, 3], backPointer: false)];

        Assert.Equal([(RtmpMessageType.Video, 7u, "01"), (RtmpMessageType.DataAmf0, 7u, "0203")], ReadAll(payload, 7));
    }

    [Fact]
    public void TryReadNext_EmptyAggregate_ReturnsFalse()
    {
        Assert.Empty(ReadAll([], 0));
    }

    [Fact]
    public void TryReadNext_SubMessageDataTruncated_ThrowsRtmpProtocolException()
    {
        byte[] full = [.. Tag(9, 0, [1, 2, 3]), .. Tag(9, 40, [4, 5, 6, 7, 8])];
        var truncated = full[..^6]; // the second tag's back pointer and two of its data bytes are missing

        var ex = Assert.Throws<RtmpProtocolException>(() => ReadAll(truncated, 0));
        Assert.Contains("overruns", ex.Message);
    }

    [Fact]
    public void TryReadNext_SubMessageHeaderTruncated_ThrowsRtmpProtocolException()
    {
        byte[] payload = [.. Tag(9, 0, [1]), 9, 0, 0, 1, 0];

        Assert.Throws<RtmpProtocolException>(() => ReadAll(payload, 0));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(22)]
    [InlineData(1)]
    public void TryReadNext_SubMessageNotAudioVideoOrData_ThrowsRtmpProtocolException(byte type)
    {
        Assert.Throws<RtmpProtocolException>(() => ReadAll(Tag(type, 0, [1]), 0));
    }

    [Fact]
    public void TryReadNext_EveryTruncation_ReadsTheWholeTagsOrThrowsRtmpProtocolException()
    {
        byte[][] tags = [Tag(9, 0, [1, 2, 3]), Tag(8, 40, [4, 5]), Tag(9, 80, new byte[40])];
        byte[] full = [.. tags.SelectMany(t => t)];
        for (var length = 0; length < full.Length; length++)
        {
            // A cut is fine only where a tag's data is complete: at its end, or inside its (optional) back pointer.
            var expected = length == 0 ? 0 : (int?)null;
            var tagStart = 0;
            for (var i = 0; i < tags.Length; i++)
            {
                var dataEnd = tagStart + tags[i].Length - 4;
                if (length >= dataEnd && length <= dataEnd + 4)
                {
                    expected = i + 1;
                }
                tagStart += tags[i].Length;
            }

            if (expected is { } count)
            {
                Assert.Equal(count, ReadAll(full[..length], 0).Count);
            }
            else
            {
                var ex = Assert.Throws<RtmpProtocolException>(() => ReadAll(full[..length], 0));
                Assert.Contains("Aggregate", ex.Message);
            }
        }
    }
}
