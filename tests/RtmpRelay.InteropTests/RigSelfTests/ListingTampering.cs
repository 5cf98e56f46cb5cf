using RtmpRelay.InteropTests.Oracle;

namespace RtmpRelay.InteropTests.RigSelfTests;

/// <summary>Ways to spoil a real listing, to prove the oracles notice. Indices are per stream ("the 40th video packet").</summary>
internal static class ListingTampering
{
    /// <summary>The position in <see cref="MediaListing.Packets"/> of packet <paramref name="index"/> of <paramref name="mediaType"/>.</summary>
    public static int FileIndexOf(MediaListing listing, string mediaType, int index)
    {
        var stream = listing.StreamOf(mediaType)!.Index;
        var seen = -1;
        for (var i = 0; i < listing.Packets.Count; i++)
        {
            if (listing.Packets[i].StreamIndex == stream && ++seen == index)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(index), $"{listing.Source} has no {mediaType} packet {index}.");
    }

    public static MediaListing Remove(MediaListing listing, string mediaType, int index)
    {
        var packets = listing.Packets.ToList();
        packets.RemoveAt(FileIndexOf(listing, mediaType, index));
        return listing.WithPackets(packets, $"{listing.Source} without {mediaType} packet {index}");
    }

    public static MediaListing Replace(MediaListing listing, string mediaType, int index, Func<MediaPacket, MediaPacket> change)
    {
        var packets = listing.Packets.ToList();
        var at = FileIndexOf(listing, mediaType, index);
        packets[at] = change(packets[at]);
        return listing.WithPackets(packets, $"{listing.Source} with {mediaType} packet {index} changed");
    }

    public static MediaListing Duplicate(MediaListing listing, string mediaType, int index)
    {
        var packets = listing.Packets.ToList();
        var at = FileIndexOf(listing, mediaType, index);
        packets.Insert(at + 1, packets[at]);
        return listing.WithPackets(packets, $"{listing.Source} with {mediaType} packet {index} twice");
    }

    public static MediaListing Swap(MediaListing listing, string mediaType, int index)
    {
        var packets = listing.Packets.ToList();
        var a = FileIndexOf(listing, mediaType, index);
        var b = FileIndexOf(listing, mediaType, index + 1);
        (packets[a], packets[b]) = (packets[b], packets[a]);
        return listing.WithPackets(packets, $"{listing.Source} with {mediaType} packets {index} and {index + 1} swapped");
    }

    /// <summary>Every packet shifted by <paramref name="offset"/> (of <paramref name="mediaType"/> only, when given).</summary>
    public static MediaListing Shift(MediaListing listing, long offset, string? mediaType = null)
    {
        var stream = mediaType is null ? (int?)null : listing.StreamOf(mediaType)!.Index;
        return listing.WithPackets(
            listing.Packets.Select(p => stream is null || p.StreamIndex == stream ? p with { Dts = p.Dts + offset, Pts = p.Pts + offset } : p),
            $"{listing.Source} shifted by {offset}");
    }

    /// <summary>
    /// What a player joining at video packet <paramref name="firstVideo"/> would get: every video packet from there and
    /// every audio packet from the first one not earlier than it, in file order, shifted by <paramref name="offset"/>.
    /// </summary>
    public static MediaListing JoinAt(MediaListing listing, int firstVideo, long offset, int? count = null)
    {
        var video = listing.StreamOf(MediaListing.Video)!.Index;
        var start = FileIndexOf(listing, MediaListing.Video, firstVideo);
        var startDts = listing.Packets[start].Dts;
        var packets = listing.Packets
            .Where((p, i) => p.StreamIndex == video ? i >= start : p.Dts >= startDts)
            .Take(count ?? int.MaxValue)
            .Select(p => p with { Dts = p.Dts + offset, Pts = p.Pts + offset });
        return listing.WithPackets(packets, $"{listing.Source} joined at video packet {firstVideo}");
    }

    /// <summary>
    /// What a recording of several publishes bridged into one holds: each run's packets in file order, shifted by its
    /// own offset, one run after the other (the streams of the first run describe the file).
    /// </summary>
    public static MediaListing Concatenate(params (MediaListing Run, long Offset)[] runs) =>
        runs[0].Run.WithPackets(
            runs.SelectMany(r => r.Run.Packets.Select(p => p with { Dts = p.Dts + r.Offset, Pts = p.Pts + r.Offset })),
            $"{runs.Length} runs at offsets {string.Join(", ", runs.Select(r => r.Offset))}");
}
