namespace RtmpRelay.InteropTests.Oracle;

/// <summary>One packet of a framemd5 listing: stream, timestamps (in the stream's time base), size and MD5 of its payload.</summary>
internal sealed record MediaPacket(int StreamIndex, long Dts, long Pts, long Duration, int Size, string Hash)
{
    /// <summary>What must arrive bit-exact: the payload's size and hash.</summary>
    public (int Size, string Hash) Content => (Size, Hash);

    public override string ToString() => $"dts {Dts}, pts {Pts}, size {Size}, md5 {Hash}";
}
