using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tts;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Video;
using Pipeline.LocalEngines;
using Pipeline.Silero;

namespace Pipeline.Benchmarks.Speech.VoiceLatency;

/// <summary>
/// The offline voice-to-avatar latency, as a whole-process run (each run takes seconds of real time, which
/// BenchmarkDotNet's iteration model does not fit): a spoken question (espeak-ng, Klatt voice) is delivered in real time
/// in 20 ms chunks to Silero VAD -> pocketsphinx STT -> scripted LLM -> sentence aggregator -> espeak-ng TTS (16 kHz) ->
/// <see cref="HeyGenVideoService"/> on the HeyGen emulator (pacing off), and the time from the end of the user's speech
/// to the first avatar video frame of the reply is split by stage. The library's share is the total minus the engines'
/// own time (<see cref="EngineClock"/>), the VAD's stop wait (<see cref="VadOptions.StopDuration"/>, a setting), the TTS
/// engine's time from its first audio to the audio of the avatar's first chunk
/// (<see cref="HeyGenVideoServiceOptions.FirstChunk"/>, 400 ms), and the avatar's own time (from its first
/// <c>agent.speak</c> arriving at the emulator to the first speaking video frame reaching the next processor, the
/// 25 fps frame cadence included).
/// </summary>
/// <remarks>Run: <c>./build.sh bench --voice-latency [runs]</c> (needs build/prereqs/30-silero-vad.sh and 30-local-speech-engines.sh).</remarks>
internal static class VoiceToAvatarLatency
{
    private const string Question = "What is the weather like today?";
    private const string Reply = "It is sunny and warm. Enjoy your day!";
    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    public static async Task<string> RunAsync(int runs)
    {
        (byte[] pcm, TimeSpan speechEnd) = await SpeakQuestionAsync();
        var results = new List<Split>();
        for (int i = 0; i < runs; i++)
        {
            results.Add(await RunOnceAsync(pcm, speechEnd));
            Console.WriteLine($"run {i + 1}: {results[^1]}");
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"medians of {runs} runs (ms): {Split.Median(results)}");
        report.AppendLine(CultureInfo.InvariantCulture, $"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return report.ToString();
    }

    private static async Task<Split> RunOnceAsync(byte[] question, TimeSpan speechEnd)
    {
        TimeProvider time = TimeProvider.System;
        var engines = new EngineClock(time);
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            Avatar = new EmulatedAvatarOptions { Width = 64, Height = 36, FrameRate = 25 },
        });
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        using SileroVadModel model = SileroVadModel.Load();
        using var sttEngine = new PocketsphinxSpeechToTextClient();
        using var ttsEngine = new EspeakTextToSpeechClient();
        var script = new ScriptedChatClientOptions();
        script.Replies.Clear();
        script.Replies.Add(new ScriptedReply(["weather", "today", "like"], Reply));
        using var chat = new ScriptedChatClient(script);

        var vadOptions = new VadOptions();
        var vad = new SileroVadProcessor(model, vadOptions);
        var stt = new SpeechToTextProcessor(engines.Wrap((ISpeechToTextClient)sttEngine), new SpeechToTextProcessorOptions { Language = "en-US" });
        var llm = new LLMProcessor(engines.Wrap((IChatClient)chat));
        var tts = new TextToSpeechProcessor(engines.Wrap((ITextToSpeechClient)ttsEngine), new TextToSpeechProcessorOptions { SampleRate = 16_000 });
        var avatar = new HeyGenVideoService(api, emulator.MediaConnector, new HeyGenVideoServiceOptions
        {
            SessionRequest = new NewSessionRequest(),
            Realtime = new HeyGenRealtimeOptions { PaceToRealTime = false },
        });
        var stages = new StageObserver(vad, stt, llm, tts, avatar);
        await using var task = new PipelineTask(
            new FramePipeline(vad, stt, llm, new SentenceAggregator(), tts, avatar, llm.CreateAssistantAggregator()),
            new PipelineTaskOptions { AudioInSampleRate = 16_000, AudioOutSampleRate = 24_000, Observers = [stages] },
            loggerFactory: null,
            time);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        task.FrameReachedEnd += (_, frame) =>
        {
            if (frame is StartFrame)
            {
                started.TrySetResult();
            }
        };
        Task<PipelineFinishReason> running = task.RunAsync();
        await started.Task.WaitAsync(Hang);
        await task.QueueFrameAsync(new OutputTransportReadyFrame());

        // The microphone: 20 ms every 20 ms, the question then silence, until the avatar's reply is on screen.
        using var tick = new PeriodicTimer(Chunk);
        using var hang = new CancellationTokenSource(Hang);
        int chunkBytes = PcmFormat.BytesFor(Chunk, 16_000);
        DateTimeOffset? speechEndedAt = null;
        for (int offset = 0; !stages.ReplyOnScreen.IsCompleted; offset += chunkBytes)
        {
            await tick.WaitForNextTickAsync(hang.Token);
            ReadOnlyMemory<byte> audio = offset < question.Length
                ? question.AsMemory(offset, Math.Min(chunkBytes, question.Length - offset))
                : new byte[chunkBytes];
            await task.QueueFrameAsync(new InputAudioRawFrame(audio, 16_000, 1));
            TimeSpan heardUpTo = PcmFormat.DurationOf(offset + audio.Length, 16_000);
            speechEndedAt ??= heardUpTo >= speechEnd ? time.GetUtcNow() - (heardUpTo - speechEnd) : null;
        }

        DateTimeOffset firstSpeak = emulator.FindRealtime(avatar.SessionId!)!.Recorder.OfType("agent.speak")[0].ReceivedAt;
        await task.QueueFrameAsync(new EndFrame());
        await running.WaitAsync(Hang);
        return stages.Split(speechEndedAt!.Value, firstSpeak, engines, vadOptions.StopDuration, new HeyGenVideoServiceOptions().FirstChunk);
    }

    private static async Task<(byte[] Pcm, TimeSpan SpeechEnd)> SpeakQuestionAsync()
    {
        using var espeak = new EspeakTextToSpeechClient(new EspeakOptions { Voice = "en-us+klatt", WordsPerMinute = 160 });
        TextToSpeechResponse response = await espeak.GetAudioAsync(Question);
        WavAudio wav = WavAudio.Parse(response.Contents.OfType<DataContent>().Single().Data.Span);
        using var resampler = new StreamingResampler(wav.SampleRate, 16_000);
        byte[] speech = new byte[resampler.MaxOutputBytes(wav.Pcm.Length) + resampler.MaxFlushBytes];
        int n = resampler.Resample(wav.Pcm, speech);
        n += resampler.Flush(speech.AsSpan(n));
        int end = LastAudibleByte(speech.AsSpan(0, n));
        byte[] lead = new byte[PcmFormat.BytesFor(TimeSpan.FromMilliseconds(500), 16_000)];
        return ([.. lead, .. speech.AsSpan(0, end)], PcmFormat.DurationOf(lead.Length + end, 16_000));
    }

    // The end of the last 10 ms block above -45 dBFS: where the speech ends (espeak-ng pads with silence).
    private static int LastAudibleByte(ReadOnlySpan<byte> pcm)
    {
        const int block = 320;
        int last = 0;
        for (int offset = 0; offset + block <= pcm.Length; offset += block)
        {
            double sum = 0;
            for (int i = offset; i < offset + block; i += 2)
            {
                double s = BinaryPrimitives.ReadInt16LittleEndian(pcm[i..]) / 32768.0;
                sum += s * s;
            }

            if (10 * Math.Log10((sum / (block / 2)) + 1e-20) > -45)
            {
                last = offset + block;
            }
        }

        return last;
    }

    /// <summary>When each stage's first output left its processor.</summary>
    private sealed class StageObserver(FrameProcessor vad, FrameProcessor stt, FrameProcessor llm, FrameProcessor tts, FrameProcessor avatar) : IFrameObserver
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> _first = new();
        private readonly TaskCompletionSource _onScreen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<(TimeSpan AudioSoFar, DateTimeOffset At)> _ttsAudio = new();
        private TimeSpan _ttsAudioSoFar;

        public Task ReplyOnScreen => _onScreen.Task;

        public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
        {
            if (pushed.Direction != FrameDirection.Downstream)
            {
                return default;
            }

            string? stage = (pushed.Source, pushed.Frame) switch
            {
                (var s, UserStoppedSpeakingFrame) when s == vad => "vad",
                (var s, TranscriptionFrame) when s == stt => "stt",
                (var s, LLMTextFrame) when s == llm => "llm",
                (var s, TTSAudioRawFrame) when s == tts => "tts",
                (var s, BotStartedSpeakingFrame) when s == avatar => "speaking",
                (var s, OutputImageRawFrame) when s == avatar && _first.ContainsKey("speaking") => "video",
                _ => null,
            };
            if (pushed.Frame is TTSAudioRawFrame audio && pushed.Source == tts)
            {
                _ttsAudioSoFar += PcmFormat.DurationOf(audio.Audio.Length, audio.SampleRate);
                _ttsAudio.Enqueue((_ttsAudioSoFar, pushed.Timestamp));
            }

            if (stage is not null && _first.TryAdd(stage, pushed.Timestamp) && stage == "video")
            {
                _onScreen.TrySetResult();
            }

            return default;
        }

        public Split Split(DateTimeOffset speechEnded, DateTimeOffset firstSpeak, EngineClock engines, TimeSpan stopDuration, TimeSpan firstChunk)
        {
            double Ms(DateTimeOffset from, string to) => (_first[to] - from).TotalMilliseconds;
            double total = Ms(speechEnded, "video");
            double avatarOwn = (_first["video"] - firstSpeak).TotalMilliseconds;
            // TTS streaming the rest of the avatar's first chunk is the engine's time too (espeak-ng writes 100 ms pieces).
            DateTimeOffset firstChunkReady = _ttsAudio.FirstOrDefault(a => a.AudioSoFar >= firstChunk, _ttsAudio.Last()).At;
            double ttsToFirstChunk = (firstChunkReady - _first["tts"]).TotalMilliseconds;
            double enginesOwn = stopDuration.TotalMilliseconds + engines.Stt.TotalMilliseconds + engines.LlmFirstToken.TotalMilliseconds
                + engines.TtsFirstAudio.TotalMilliseconds + ttsToFirstChunk + avatarOwn;
            return new Split(
                Ms(speechEnded, "vad"), Ms(_first["vad"], "stt"), Ms(_first["stt"], "llm"), Ms(_first["llm"], "tts"), Ms(_first["tts"], "video"),
                total, engines.Stt.TotalMilliseconds, engines.TtsFirstAudio.TotalMilliseconds, ttsToFirstChunk, avatarOwn, total - enginesOwn);
        }
    }

    /// <summary>One run's split, in milliseconds.</summary>
    private sealed record Split(
        double VadStop, double Stt, double LlmFirstToken, double TtsFirstAudio, double AvatarFirstFrame,
        double Total, double SttEngine, double TtsEngine, double TtsToFirstChunk, double AvatarOwn, double Library)
    {
        public static Split Median(IReadOnlyList<Split> runs)
        {
            double M(Func<Split, double> pick)
            {
                double[] sorted = [.. runs.Select(pick).Order()];
                return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
            }

            return new Split(M(r => r.VadStop), M(r => r.Stt), M(r => r.LlmFirstToken), M(r => r.TtsFirstAudio), M(r => r.AvatarFirstFrame),
                M(r => r.Total), M(r => r.SttEngine), M(r => r.TtsEngine), M(r => r.TtsToFirstChunk), M(r => r.AvatarOwn), M(r => r.Library));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"VAD stop {VadStop:F0} | STT {Stt:F0} (engine {SttEngine:F0}) | LLM first token {LlmFirstToken:F1} | TTS first audio {TtsFirstAudio:F0} (engine {TtsEngine:F0}) " +
            $"| avatar first frame {AvatarFirstFrame:F0} (TTS to 400 ms {TtsToFirstChunk:F0}, avatar's own {AvatarOwn:F0}) | total {Total:F0} | library {Library:F0}");
    }
}
