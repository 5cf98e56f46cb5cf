namespace RtmpRelay.Options;

/// <summary>One push destination.</summary>
public sealed class DestinationOptions
{
    /// <summary>
    /// rtmp://host[:port]/app[/...]/streamname[?query]. "{app}" and "{stream}" are replaced by the published
    /// application and stream name. The last path segment (query included) is the stream name published there;
    /// the rest is the application connected to. Required.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>Set false to keep a destination configured but not pushed to. Default true.</summary>
    public bool Enabled { get; set; } = true;
}
