using RtmpRelay.Destinations;

namespace RtmpRelay.Tests.Destinations;

public class DestinationUrlTests
{
    private static DestinationUrl Parse(string url)
    {
        Assert.True(DestinationUrl.TryParse(url, out var parsed, out var error), $"{url}: {error}");
        Assert.Equal("", error);
        return parsed;
    }

    [Fact]
    public void TryParse_HostAppStream_SplitWithTheDefaultPort()
    {
        var url = Parse("rtmp://live.example.com/live/abcd1234");

        Assert.Equal("rtmp", url.Scheme);
        Assert.Equal("live.example.com", url.Host);
        Assert.Equal(1935, url.Port);
        Assert.Equal("live", url.App);
        Assert.Equal("abcd1234", url.StreamName);
        Assert.Equal("rtmp://live.example.com/live", url.TcUrl);
    }

    [Fact]
    public void TryParse_ExplicitPort_KeptAndShownInTcUrl()
    {
        var url = Parse("rtmp://10.0.0.5:1940/live/key");

        Assert.Equal("10.0.0.5", url.Host);
        Assert.Equal(1940, url.Port);
        Assert.Equal("rtmp://10.0.0.5:1940/live", url.TcUrl);
    }

    [Fact]
    public void TryParse_ExplicitDefaultPort_NotShownInTcUrl()
    {
        Assert.Equal("rtmp://host/live", Parse("rtmp://host:1935/live/key").TcUrl);
    }

    [Fact]
    public void TryParse_AppWithSeveralSegments_LastSegmentIsTheStream()
    {
        var url = Parse("rtmp://a.rtmp.youtube.com/live2/sub/dir/xxxx-yyyy-zzzz");

        Assert.Equal("live2/sub/dir", url.App);
        Assert.Equal("xxxx-yyyy-zzzz", url.StreamName);
        Assert.Equal("rtmp://a.rtmp.youtube.com/live2/sub/dir", url.TcUrl);
    }

    [Fact]
    public void TryParse_Query_KeptInTheStreamName()
    {
        var url = Parse("rtmp://host/app/stream?key=secret&token=a/b");

        Assert.Equal("app", url.App);
        Assert.Equal("stream?key=secret&token=a/b", url.StreamName);
    }

    [Fact]
    public void TryParse_YouTubeBackup_QueryBelongsToTheApplication()
    {
        var url = Parse("rtmps://b.rtmps.youtube.com:443/live2?backup=1/KEY");

        Assert.Equal("rtmps", url.Scheme);
        Assert.Equal("b.rtmps.youtube.com", url.Host);
        Assert.Equal(443, url.Port);
        Assert.Equal("live2?backup=1", url.App);
        Assert.Equal("KEY", url.StreamName);
        Assert.Equal("rtmps://b.rtmps.youtube.com/live2?backup=1", url.TcUrl);
    }

    [Fact]
    public void TryParse_ApplicationQueryWithOtherPort_PortShownInTcUrl()
    {
        var url = Parse("rtmps://backup.example:8443/live2?backup=1&x=2/KEY");

        Assert.Equal("live2?backup=1&x=2", url.App);
        Assert.Equal("KEY", url.StreamName);
        Assert.Equal("rtmps://backup.example:8443/live2?backup=1&x=2", url.TcUrl);
    }

    [Fact]
    public void TryParse_ApplicationQuery_EverythingAfterItIsTheStreamName()
    {
        var url = Parse("rtmp://host/live?x=1/a?b=c/d");

        Assert.Equal("live?x=1", url.App);
        Assert.Equal("a?b=c/d", url.StreamName);
    }

    [Theory]
    [InlineData("rtmp://host/app/stream?a=b/c", "app", "stream?a=b/c")]
    [InlineData("rtmp://host/a/b?x=1/KEY", "a", "b?x=1/KEY")]
    [InlineData("rtmp://host/live2/KEY?backup=1", "live2", "KEY?backup=1")]
    public void TryParse_QueryAfterTheFirstSegment_PartOfTheStreamName(string text, string app, string stream)
    {
        var url = Parse(text);

        Assert.Equal(app, url.App);
        Assert.Equal(stream, url.StreamName);
    }

    [Theory]
    [InlineData("rtmp://host/live?backup=1")]
    [InlineData("rtmp://host/live?backup=1/")]
    [InlineData("rtmp://host/live?backup=1/?x=1")]
    [InlineData("rtmp://host/live?backup/key")]
    [InlineData("rtmp://host/?backup=1/key")]
    public void TryParse_QueryInTheFirstSegmentWithoutAStream_Error(string text)
    {
        Assert.False(DestinationUrl.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Redacted_ApplicationQuery_KeyAndQueryHidden()
    {
        var url = Parse("rtmps://b.rtmps.youtube.com:443/live2?backup=1/abcd-efgh-ijkl-mnop");

        Assert.Equal("rtmps://b.rtmps.youtube.com/live2?****/ab****", url.Redacted);
        Assert.DoesNotContain("abcd-efgh-ijkl-mnop", url.Redacted);
    }

    [Fact]
    public void TryParse_SchemeInUpperCase_Accepted()
    {
        Assert.Equal("rtmp", Parse("RTMP://host/app/stream").Scheme);
    }

    [Theory]
    [InlineData("rtmp://[::1]/live/key", "::1", 1935)]
    [InlineData("rtmp://[2001:db8::7]:1940/live/key", "2001:db8::7", 1940)]
    public void TryParse_IPv6Literal_HostWithoutBrackets(string text, string host, int port)
    {
        var url = Parse(text);

        Assert.Equal(host, url.Host);
        Assert.Equal(port, url.Port);
        Assert.Equal("live", url.App);
        Assert.Equal("key", url.StreamName);
    }

    [Fact]
    public void TcUrl_IPv6Host_Bracketed()
    {
        Assert.Equal("rtmp://[2001:db8::7]:1940/live", Parse("rtmp://[2001:db8::7]:1940/live/key").TcUrl);
        Assert.Equal("rtmp://[::1]/live", Parse("rtmp://[::1]/live/key").TcUrl);
    }

    [Theory]
    [InlineData("rtmp://host/live")]
    [InlineData("rtmp://host/live/")]
    [InlineData("rtmp://host/live/?key=1")]
    [InlineData("rtmp://host/")]
    [InlineData("rtmp://host")]
    public void TryParse_NoStreamName_Error(string text)
    {
        Assert.False(DestinationUrl.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("http://host/live/key", "http")]
    [InlineData("srt://host/live/key", "srt")]
    [InlineData("ftp://host/live/key", "ftp")]
    public void TryParse_UnsupportedScheme_ErrorNamesTheScheme(string text, string scheme)
    {
        Assert.False(DestinationUrl.TryParse(text, out _, out var error));
        Assert.Contains($"'{scheme}'", error);
        Assert.Contains("not supported", error);
    }

    [Theory]
    [InlineData("host/live/key")]
    [InlineData("://host/live/key")]
    [InlineData("")]
    public void TryParse_NotAbsolute_Error(string text)
    {
        Assert.False(DestinationUrl.TryParse(text, out _, out var error));
        Assert.Contains("absolute", error);
    }

    [Theory]
    [InlineData("rtmp://host:0/live/key")]
    [InlineData("rtmp://host:65536/live/key")]
    [InlineData("rtmp://host:abc/live/key")]
    [InlineData("rtmp://:1935/live/key")]
    [InlineData("rtmp://[::1/live/key")]
    [InlineData("rtmp://[::1]x/live/key")]
    [InlineData("rtmp:///live/key")]
    public void TryParse_BadHostOrPort_Error(string text)
    {
        Assert.False(DestinationUrl.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Expand_AppAndStreamPlaceholders_Replaced()
    {
        Assert.Equal("rtmp://backup/live/cam1", DestinationUrl.Expand("rtmp://backup/{app}/{stream}", "live", "cam1"));
        Assert.Equal("rtmp://h/x/live-cam1-cam1", DestinationUrl.Expand("rtmp://h/x/{app}-{stream}-{stream}", "live", "cam1"));
        Assert.Equal("rtmp://h/app/fixedkey", DestinationUrl.Expand("rtmp://h/app/fixedkey", "live", "cam1"));
    }

    [Fact]
    public void Expand_ThenParse_StreamIsTheLastSegment()
    {
        var url = Parse(DestinationUrl.Expand("rtmp://backup:1936/relay/{app}/{stream}", "live", "cam1"));

        Assert.Equal("relay/live", url.App);
        Assert.Equal("cam1", url.StreamName);
        Assert.Equal(1936, url.Port);
    }

    [Theory]
    [InlineData("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop", "abcd-efgh-ijkl-mnop")]
    [InlineData("rtmp://host/app/stream?key=supersecret", "supersecret")]
    [InlineData("rtmp://host/app/sk_live_0123456789", "0123456789")]
    public void Redacted_StreamKey_Hidden(string text, string secret)
    {
        var url = Parse(text);

        Assert.DoesNotContain(secret, url.Redacted);
        Assert.DoesNotContain(url.StreamName, url.Redacted);
        Assert.StartsWith(url.TcUrl + "/", url.Redacted);
        Assert.Contains("****", url.Redacted);
    }

    [Theory]
    [InlineData("rtmp://host/app/abc")]
    [InlineData("rtmp://host/app/abcd")]
    public void Redacted_ShortStreamName_FullyHidden(string text)
    {
        Assert.Equal(Parse(text).TcUrl + "/****", Parse(text).Redacted);
    }
}
