using RtmpRelay.Destinations;

namespace RtmpRelay.Tests.Destinations;

public class PlatformPresetsTests
{
    private const string Key = "abcd-efgh-ijkl-mnop-qrst";

    public static TheoryData<string, string> PlatformsAndRealisticKeys => new()
    {
        { "youtube", "abcd-efgh-ijkl-mnop-qrst" },
        { "twitch", "live_123456789_AbCdEfGhIjKlMnOpQrStUvWxYz" },
        { "facebook", "FB-123456789012345-0-AbCdEfGhIjKlMnOp" },
        { "facebook", "1234567890123456?s_bl=1&s_ps=1&s_sw=0&s_vt=api-s&a=AbCdEfGhIjKl" },
    };

    public static TheoryData<string> PlatformNames => new(PlatformPresets.Names);

    private static (string Url, string? BackupUrl) Expand(string platform, string key)
    {
        Assert.True(PlatformPresets.TryExpand(platform, key, out var url, out var backupUrl, out var error), error);
        Assert.Equal("", error);
        return (url, backupUrl);
    }

    private static DestinationUrl Parse(string url)
    {
        Assert.True(DestinationUrl.TryParse(url, out var parsed, out var error), error);
        return parsed;
    }

    [Fact]
    public void Names_ThePresetPlatforms_LowerCase()
    {
        Assert.Equal(new[] { "youtube", "twitch", "facebook" }, PlatformPresets.Names);
    }

    [Theory]
    [MemberData(nameof(PlatformsAndRealisticKeys))]
    public void TryExpand_EveryPlatform_ParsesWithTheKeyAsStreamNameAndHidesItWhenRedacted(string platform, string key)
    {
        var (url, backupUrl) = Expand(platform, key);

        foreach (var text in backupUrl is null ? new[] { url } : new[] { url, backupUrl })
        {
            var parsed = Parse(text);
            Assert.Equal(key, parsed.StreamName);
            Assert.DoesNotContain(key, parsed.Redacted);
            Assert.Equal("rtmps", parsed.Scheme);
            Assert.True(parsed.UsesTls);
            Assert.Equal(443, parsed.Port);
        }
    }

    [Theory]
    [MemberData(nameof(PlatformNames))]
    public void TryExpand_EveryName_Succeeds(string platform)
    {
        var (url, _) = Expand(platform, Key);

        Assert.EndsWith("/" + Key, url);
    }

    [Fact]
    public void TryExpand_YouTube_RtmpsPrimaryAndBackup()
    {
        var (url, backupUrl) = Expand("youtube", Key);

        Assert.Equal($"rtmps://a.rtmps.youtube.com:443/live2/{Key}", url);
        Assert.Equal($"rtmps://b.rtmps.youtube.com:443/live2?backup=1/{Key}", backupUrl);
        Assert.Equal("rtmps://a.rtmps.youtube.com/live2", Parse(url).TcUrl);
        var backup = Parse(backupUrl!);
        Assert.Equal("live2?backup=1", backup.App);
        Assert.Equal("rtmps://b.rtmps.youtube.com/live2?backup=1", backup.TcUrl);
    }

    [Fact]
    public void TryExpand_Twitch_GlobalRtmpsIngestWithoutBackup()
    {
        var (url, backupUrl) = Expand("twitch", Key);

        Assert.Equal($"rtmps://ingest.global-contribute.live-video.net/app/{Key}", url);
        Assert.Null(backupUrl);
        Assert.Equal("rtmps://ingest.global-contribute.live-video.net/app", Parse(url).TcUrl);
    }

    [Fact]
    public void TryExpand_Facebook_RtmpsOn443WithoutBackup()
    {
        var (url, backupUrl) = Expand("facebook", Key);

        Assert.Equal($"rtmps://live-api-s.facebook.com:443/rtmp/{Key}", url);
        Assert.Null(backupUrl);
        Assert.Equal("rtmp", Parse(url).App);
    }

    [Theory]
    [InlineData("YouTube", "rtmps://a.rtmps.youtube.com:443/live2/")]
    [InlineData("TWITCH", "rtmps://ingest.global-contribute.live-video.net/app/")]
    [InlineData("FaceBook", "rtmps://live-api-s.facebook.com:443/rtmp/")]
    [InlineData(" youtube ", "rtmps://a.rtmps.youtube.com:443/live2/")]
    public void TryExpand_PlatformInAnyCase_Recognised(string platform, string prefix)
    {
        Assert.Equal(prefix + Key, Expand(platform, Key).Url);
    }

    [Theory]
    [InlineData("kick")]
    [InlineData("you tube")]
    [InlineData("rtmp://a.rtmp.youtube.com/live2")]
    [InlineData(Key)]
    public void TryExpand_UnknownPlatform_ErrorListsTheKnownOnesWithoutTheKey(string platform)
    {
        Assert.False(PlatformPresets.TryExpand(platform, Key, out var url, out var backupUrl, out var error));

        Assert.Equal("", url);
        Assert.Null(backupUrl);
        Assert.Contains("unknown platform", error);
        Assert.Contains("youtube, twitch, facebook", error);
        Assert.DoesNotContain(Key, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void TryExpand_NoPlatform_ErrorListsTheKnownOnes(string platform)
    {
        Assert.False(PlatformPresets.TryExpand(platform, Key, out _, out _, out var error));

        Assert.Contains("youtube, twitch, facebook", error);
        Assert.DoesNotContain(Key, error);
    }

    [Fact]
    public void TryExpand_NullPlatformOrKey_Error()
    {
        Assert.False(PlatformPresets.TryExpand(null!, Key, out _, out _, out var error));
        Assert.DoesNotContain(Key, error);
        Assert.False(PlatformPresets.TryExpand("youtube", null!, out _, out _, out error));
        Assert.Contains("no stream key", error);
    }

    [Theory]
    [MemberData(nameof(PlatformNames))]
    public void TryExpand_EmptyKey_ErrorNamesThePlatformAndListsTheKnownOnes(string platform)
    {
        Assert.False(PlatformPresets.TryExpand(platform, "", out var url, out var backupUrl, out var error));

        Assert.Equal("", url);
        Assert.Null(backupUrl);
        Assert.Contains("no stream key", error);
        Assert.Contains($"'{platform}'", error);
        Assert.Contains("youtube, twitch, facebook", error);
    }

    [Theory]
    [InlineData("abcd efgh-secret")]
    [InlineData("abcd-efgh-secret ")]
    [InlineData(" abcd-efgh-secret")]
    [InlineData("abcd\tefgh-secret")]
    [InlineData("abcd-efgh-secret\n")]
    [InlineData("abcd-efgh-secret\r\n")]
    [InlineData("abcd\u0000efgh-secret")]
    [InlineData("abcd\u007Fefgh-secret")]
    [InlineData("abcd\u00A0efgh-secret")]
    [InlineData("abcd\u200Befgh-secret")]
    [InlineData("\uFEFFabcd-efgh-secret")]
    public void TryExpand_KeyWithWhitespaceOrControlCharacter_RefusedWithoutTheKey(string key)
    {
        Assert.False(PlatformPresets.TryExpand("youtube", key, out var url, out var backupUrl, out var error));

        Assert.Equal("", url);
        Assert.Null(backupUrl);
        Assert.Contains("whitespace", error);
        Assert.DoesNotContain("secret", error);
        Assert.DoesNotContain("abcd", error);
    }

    [Theory]
    [InlineData("ab/cd-secret", "ab%2Fcd-secret")]
    [InlineData("/abcd-secret", "%2Fabcd-secret")]
    [InlineData("abcd-secret/", "abcd-secret%2F")]
    [InlineData("a/b?t=c/d", "a%2Fb?t=c/d")]
    [InlineData("?abcd/secret", "%3Fabcd%2Fsecret")]
    public void TryExpand_KeyThatWouldSplitTheUrl_EscapedAndKeptInOneStreamName(string key, string streamName)
    {
        var (url, backupUrl) = Expand("youtube", key);

        var primary = Parse(url);
        Assert.Equal("live2", primary.App);
        Assert.Equal(streamName, primary.StreamName);
        var backup = Parse(backupUrl!);
        Assert.Equal("live2?backup=1", backup.App);
        Assert.Equal(streamName, backup.StreamName);
    }

    [Theory]
    [InlineData("facebook", "1234567890?s_bl=1&s_sw=0&a=AbCd")]
    [InlineData("youtube", "abcd-efgh?x=1&y=a/b")]
    [InlineData("twitch", "live_123#456%20789")]
    public void TryExpand_KeyWithQueryHashOrPercent_CarriedVerbatim(string platform, string key)
    {
        var (url, backupUrl) = Expand(platform, key);

        Assert.Equal(key, Parse(url).StreamName);
        if (backupUrl is not null)
        {
            Assert.Equal(key, Parse(backupUrl).StreamName);
        }
    }
}
