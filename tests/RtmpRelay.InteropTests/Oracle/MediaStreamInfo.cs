namespace RtmpRelay.InteropTests.Oracle;

/// <summary>A stream of a framemd5 listing: its media type, codec, time base and codec configuration (extradata, the sequence header's payload).</summary>
internal sealed record MediaStreamInfo(int Index, string MediaType, string? CodecId, string? TimeBase, int? ExtradataSize, string? ExtradataHash)
{
    public string Extradata => ExtradataHash is null ? "none" : $"{ExtradataSize} bytes, md5 {ExtradataHash}";
}
