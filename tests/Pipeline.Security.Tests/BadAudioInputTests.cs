using System.Buffers.Binary;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.Security.Tests.Infrastructure;

namespace Pipeline.Security.Tests;

/// <summary>Malformed and unusual audio and image frames: clear construction errors, and a pipeline that keeps running.</summary>
public sealed class BadAudioInputTests
{
    public static TheoryData<string, Func<Frame>, string, string> MalformedAudio => new()
    {
        { "odd byte count", () => new TTSAudioRawFrame(new byte[3], 24_000, 1), "audio", "multiple of 2 bytes, but the buffer has 3" },
        { "odd byte count for stereo", () => new TTSAudioRawFrame(new byte[6], 24_000, 2), "audio", "multiple of 4 bytes, but the buffer has 6" },
        { "0 Hz", () => new TTSAudioRawFrame(new byte[2], 0, 1), "sampleRate", "Sample rate must be 8000 to 192000 Hz" },
        { "negative rate", () => new InputAudioRawFrame(new byte[2], -16_000, 1), "sampleRate", "Sample rate must be" },
        { "1 MHz", () => new TTSAudioRawFrame(new byte[2], 1_000_000, 1), "sampleRate", "Sample rate must be 8000 to 192000 Hz" },
        { "0 channels", () => new OutputAudioRawFrame(new byte[2], 24_000, 0), "channels", "Channel count must be 1 to 8" },
        { "9 channels", () => new SpeechOutputAudioRawFrame(new byte[18], 24_000, 9), "channels", "Channel count must be 1 to 8" },
    };

    [Theory]
    [MemberData(nameof(MalformedAudio))]
    public void Malformed_audio_frames_cannot_be_built_and_the_error_names_the_problem(string what, Func<Frame> build, string parameter, string message)
    {
        var thrown = FluentActions.Invoking(build).Should().Throw<ArgumentException>(what).Which;
        thrown.ParamName.Should().Be(parameter);
        thrown.Message.Should().Contain(message);
    }

    public static TheoryData<string, Func<Frame>, string, string> MalformedImages => new()
    {
        { "buffer too small", () => new OutputImageRawFrame(new byte[10], 4, 4, PixelFormat.Rgb24), "image", "A 4x4 Rgb24 image needs 48 bytes, but the buffer has 10" },
        { "buffer too big", () => new InputImageRawFrame(new byte[65], 4, 4, PixelFormat.Rgba32), "image", "needs 64 bytes, but the buffer has 65" },
        { "I420 with odd size rounded up", () => new OutputImageRawFrame(new byte[3 * 3], 3, 3, PixelFormat.I420), "image", "A 3x3 I420 image needs 17 bytes" },
        { "empty", () => new OutputImageRawFrame(ReadOnlyMemory<byte>.Empty, 64, 36, PixelFormat.Rgb24), "image", "needs 6912 bytes, but the buffer has 0" },
        { "zero width", () => new OutputImageRawFrame(Array.Empty<byte>(), 0, 36, PixelFormat.Rgb24), "width", "Width must be 1 to 16384 pixels" },
        { "negative height", () => new OutputImageRawFrame(Array.Empty<byte>(), 4, -1, PixelFormat.Rgb24), "height", "Height must be 1 to 16384 pixels" },
        { "too wide", () => new OutputImageRawFrame(new byte[3], 100_000, 1, PixelFormat.Rgb24), "width", "Width must be 1 to 16384" },
        { "unknown format", () => new OutputImageRawFrame(new byte[16], 2, 2, (PixelFormat)42), "format", "Unknown pixel format" },
    };

    [Theory]
    [MemberData(nameof(MalformedImages))]
    public void Image_frames_with_wrong_sizes_are_rejected_clearly(string what, Func<Frame> build, string parameter, string message)
    {
        var thrown = FluentActions.Invoking(build).Should().Throw<ArgumentException>(what).Which;
        thrown.ParamName.Should().Be(parameter);
        thrown.Message.Should().Contain(message);
    }

    [Fact]
    public async Task Unusual_but_valid_audio_is_handled_and_a_later_normal_utterance_arrives_intact()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        RealtimeEventRecorder recorder = h.Realtime.Recorder;
        await h.QueueAsync(new OutputTransportReadyFrame());
        int ends = 0;

        // Empty frames (alone, and between real audio) are ignored: nothing is sent for them, nothing fails.
        await Speak(h, "empty", [new TTSAudioRawFrame(ReadOnlyMemory<byte>.Empty, 24_000, 1), new TTSAudioRawFrame(ReadOnlyMemory<byte>.Empty, 16_000, 2)]);
        recorder.AudioOf("empty").Should().BeEmpty();
        byte[] speech = Speech.Make(TimeSpan.FromMilliseconds(600), 24_000);
        await Speak(h, "gaps", [new TTSAudioRawFrame(ReadOnlyMemory<byte>.Empty, 24_000, 1) { ContextId = "gaps" },
            .. Speech.TtsFrames(speech, 24_000, "gaps"), new TTSAudioRawFrame(ReadOnlyMemory<byte>.Empty, 24_000, 1) { ContextId = "gaps" }]);
        await recorder.WaitForCountAsync("agent.speak_end", ++ends).WaitAsync(AvatarHarness.Hang);
        recorder.AudioOf("gaps").Should().Equal(speech);

        // Stereo where the avatar takes mono: mixed down to the average of the channels.
        byte[] left = Speech.Make(TimeSpan.FromMilliseconds(500), 24_000);
        byte[] right = Speech.Make(TimeSpan.FromMilliseconds(500), 24_000).Select((b, i) => i % 2 == 1 ? (byte)(b ^ 0x40) : b).ToArray();
        byte[] stereo = new byte[left.Length * 2];
        byte[] expectedMono = new byte[left.Length];
        for (int i = 0; i < left.Length / 2; i++)
        {
            short l = BinaryPrimitives.ReadInt16LittleEndian(left.AsSpan(i * 2));
            short r = BinaryPrimitives.ReadInt16LittleEndian(right.AsSpan(i * 2));
            BinaryPrimitives.WriteInt16LittleEndian(stereo.AsSpan(i * 4), l);
            BinaryPrimitives.WriteInt16LittleEndian(stereo.AsSpan((i * 4) + 2), r);
            BinaryPrimitives.WriteInt16LittleEndian(expectedMono.AsSpan(i * 2), (short)((l + r) / 2));
        }

        await Speak(h, "stereo", [new TTSAudioRawFrame(stereo, 24_000, 2) { ContextId = "stereo" }]);
        await recorder.WaitForCountAsync("agent.speak_end", ++ends).WaitAsync(AvatarHarness.Hang);
        recorder.AudioOf("stereo").Should().Equal(expectedMono);

        // 8 kHz and 48 kHz: resampled to the avatar's 24 kHz.
        foreach (int rate in new[] { 8_000, 48_000 })
        {
            byte[] pcm = Speech.Make(TimeSpan.FromMilliseconds(700), rate);
            string id = $"rate-{rate}";
            await Speak(h, id, [.. Speech.TtsFrames(pcm, rate, id)]);
            await recorder.WaitForCountAsync("agent.speak_end", ++ends).WaitAsync(AvatarHarness.Hang);
            recorder.AudioOf(id).Should().Equal(Speech.ResampledTo24k(pcm, rate, TimeSpan.FromMilliseconds(20)));
        }

        // A tiny but valid image from elsewhere in the bot passes through untouched.
        var tiny = new InputImageRawFrame(new byte[3], 1, 1, PixelFormat.Rgb24);
        await h.QueueAsync(tiny);
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Contains(tiny), "the 1x1 image passing through");

        // Then an ordinary utterance, checked byte for byte at the emulator.
        byte[] normal = Speech.Make(TimeSpan.FromSeconds(1), 16_000);
        await Speak(h, "normal", [.. Speech.TtsFrames(normal, 16_000, "normal")]);
        await recorder.WaitForCountAsync("agent.speak_end", ++ends).WaitAsync(AvatarHarness.Hang);
        recorder.AudioOf("normal").Should().Equal(Speech.ResampledTo24k(normal, 16_000, TimeSpan.FromMilliseconds(20)));

        h.Errors.Should().BeEmpty();
        h.Running!.IsCompleted.Should().BeFalse("the pipeline keeps running");
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(65_536)]
    public async Task A_10_MB_frame_is_split_under_the_message_limit_and_arrives_intact(int maxMessageBytes)
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(configure: o =>
        {
            o.Chunk = TimeSpan.FromSeconds(10); // the largest chunk the service allows: 480 kB of audio, 640 kB of base64
            o.Realtime.MaxMessageBytes = maxMessageBytes;
            o.Realtime.PaceToRealTime = false; // 218 s of audio: do not wait for it in emulated time
        });
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        RealtimeEventRecorder recorder = h.Realtime.Recorder;
        await h.QueueAsync(new OutputTransportReadyFrame());
        byte[] huge = new byte[10 * 1024 * 1024];
        new Random(8).NextBytes(huge);

        await Speak(h, "huge", [new TTSAudioRawFrame(huge, 24_000, 1) { ContextId = "huge" }]);
        await recorder.WaitForCountAsync("agent.speak_end", 1).WaitAsync(AvatarHarness.Hang);

        IReadOnlyList<RecordedClientEvent> speaks = recorder.OfType("agent.speak");
        speaks.Should().HaveCountGreaterThan(huge.Length / 750_000);
        speaks.Should().OnlyContain(e => System.Text.Encoding.UTF8.GetByteCount(e.Text) <= maxMessageBytes);
        recorder.OfType(RecordedClientEvent.Malformed).Should().BeEmpty();
        recorder.AudioOf("huge").AsSpan().SequenceEqual(huge).Should().BeTrue("the 10 MB arrive intact and in order");

        // The avatar is still talking through 218 s of audio; an interruption and a normal utterance still work.
        await h.Task.QueueFrameAsync(new InterruptionFrame());
        await recorder.WaitForCountAsync("agent.interrupt", 1).WaitAsync(AvatarHarness.Hang);
        byte[] normal = Speech.Make(TimeSpan.FromMilliseconds(800), 24_000);
        await Speak(h, "after", [.. Speech.TtsFrames(normal, 24_000, "after")]);
        await recorder.WaitForCountAsync("agent.speak_end", 2).WaitAsync(AvatarHarness.Hang);
        recorder.AudioOf("after").Should().Equal(normal);
        h.Errors.Should().BeEmpty();
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }

    private static async Task Speak(AvatarHarness h, string id, Frame[] audio) =>
        await h.QueueAsync([new TTSStartedFrame { ContextId = id }, .. audio, new TTSStoppedFrame { ContextId = id }]);
}
