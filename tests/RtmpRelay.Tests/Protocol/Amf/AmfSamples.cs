namespace RtmpRelay.Tests.Protocol.Amf;

/// <summary>Hand-assembled payloads as real encoders send them, byte for byte per the AMF0 spec.</summary>
internal static class AmfSamples
{
    /// <summary>
    /// ffmpeg's connect command when publishing to rtmp://127.0.0.1:1935/live: "connect", transaction 1,
    /// command object {app, type, flashVer, tcUrl}.
    /// </summary>
    public static byte[] FfmpegConnect => AmfHex.Bytes(
        "02 00 07 63 6F 6E 6E 65 63 74" +                               // "connect"
        " 00 3F F0 00 00 00 00 00 00" +                                 // 1.0
        " 03" +                                                         // object
        " 00 03 61 70 70 02 00 04 6C 69 76 65" +                        // app: "live"
        " 00 04 74 79 70 65 02 00 0A 6E 6F 6E 70 72 69 76 61 74 65" +   // type: "nonprivate"
        " 00 08 66 6C 61 73 68 56 65 72 02 00 23" +                     // flashVer: (35 bytes)
        " 46 4D 4C 45 2F 33 2E 30 20 28 63 6F 6D 70 61 74 69 62 6C 65" + //   "FMLE/3.0 (compatible"
        " 3B 20 4C 61 76 66 36 31 2E 37 2E 31 30 30 29" +               //   "; Lavf61.7.100)"
        " 00 05 74 63 55 72 6C 02 00 1A" +                              // tcUrl: (26 bytes)
        " 72 74 6D 70 3A 2F 2F 31 32 37 2E 30 2E 30 2E 31 3A 31 39 33 35 2F 6C 69 76 65" + // "rtmp://127.0.0.1:1935/live"
        " 00 00 09");                                                   // object end

    /// <summary>
    /// An OBS-style @setDataFrame message: "@setDataFrame", "onMetaData", ECMA array
    /// {duration: 0, width: 1280, height: 720, encoder: "obs-output module"}.
    /// </summary>
    public static byte[] SetDataFrame => AmfHex.Bytes(
        "02 00 0D 40 73 65 74 44 61 74 61 46 72 61 6D 65" +             // "@setDataFrame"
        " 02 00 0A 6F 6E 4D 65 74 61 44 61 74 61" +                     // "onMetaData"
        " 08 00 00 00 04" +                                             // ECMA array, count 4
        " 00 08 64 75 72 61 74 69 6F 6E 00 00 00 00 00 00 00 00 00" +   // duration: 0
        " 00 05 77 69 64 74 68 00 40 94 00 00 00 00 00 00" +            // width: 1280
        " 00 06 68 65 69 67 68 74 00 40 86 80 00 00 00 00 00" +         // height: 720
        " 00 07 65 6E 63 6F 64 65 72 02 00 11" +                        // encoder: (17 bytes)
        " 6F 62 73 2D 6F 75 74 70 75 74 20 6D 6F 64 75 6C 65" +         //   "obs-output module"
        " 00 00 09");                                                   // object end

    /// <summary>
    /// A Flash Player connect with objectEncoding 3: "connect" and 1 in AMF0, then the command object in
    /// AMF3 (0x11 switch): anonymous dynamic object {app: "live", objectEncoding: 3}.
    /// </summary>
    public static byte[] Amf3Connect => AmfHex.Bytes(
        "02 00 07 63 6F 6E 6E 65 63 74" +                               // "connect"
        " 00 3F F0 00 00 00 00 00 00" +                                 // 1.0
        " 11 0A 0B 01" +                                                // AMF3 object, inline dynamic traits, no sealed members, class ""
        " 07 61 70 70 06 09 6C 69 76 65" +                              // app: "live"
        " 1D 6F 62 6A 65 63 74 45 6E 63 6F 64 69 6E 67 04 03" +         // objectEncoding: 3 (integer)
        " 01");                                                         // end of dynamic members
}
