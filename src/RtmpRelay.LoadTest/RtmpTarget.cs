namespace RtmpRelay.LoadTest;

/// <summary>The relay under test's application URL, rtmp://host[:port]/app (port 1935 when omitted).</summary>
internal sealed record RtmpTarget(string Host, int Port, string App)
{
    public string TcUrl => $"rtmp://{Host}:{Port}/{App}";

    public static RtmpTarget Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "rtmp")
        {
            throw new ArgumentException($"--target must be rtmp://host[:port]/app, not '{url}'");
        }
        var app = uri.AbsolutePath.Trim('/');
        if (app.Length == 0 || app.Contains('/'))
        {
            throw new ArgumentException($"--target must name exactly one application: rtmp://host[:port]/app, not '{url}'");
        }
        return new RtmpTarget(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 1935 : uri.Port, app);
    }
}
