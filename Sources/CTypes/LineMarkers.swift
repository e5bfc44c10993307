// The line markers of `cc -E` output (`# 12 "/usr/include/zlib.h" 1 3 4`): which file
// and line each output line came from, to report errors where the header says them.

/// The line markers of a preprocessed source.
public struct CLineMarkers {
    /// Each marker: its own line in the output, and the file and line of the next line.
    private var markers: [(at: Int, file: String, line: Int)] = []

    /// Reads the markers of `source`.
    public init(_ source: String) {
        var lineNumber = 0
        for line in source.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.first == UInt8(ascii: "#"), let marker = Self.marker(Substring(line)) else { continue }
            markers.append((lineNumber, marker.file, marker.line))
        }
    }

    /// `# 12 "file" flags...` as (file, 12); nil for other lines.
    private static func marker(_ text: Substring) -> (file: String, line: Int)? {
        let words = text.dropFirst().split(separator: " ", maxSplits: 2)
        guard words.count >= 2, let line = Int(words[0]), words[1].first == "\"" else { return nil }
        let rest = text.dropFirst().drop { $0 != "\"" }.dropFirst()
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return (String(rest[..<close]), line)
    }

    /// Where output line `line` came from; nil before the first marker.
    public func origin(ofLine line: Int) -> (file: String, line: Int)? {
        var low = 0, high = markers.count
        while low < high {
            let middle = (low + high) / 2
            if markers[middle].at < line { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let marker = markers[low - 1]
        return (marker.file, marker.line + line - marker.at - 1)
    }

    /// `error` at the file and line its output line came from.
    public func mapped(_ error: CDeclarationError) -> CDeclarationError {
        guard let (file, line) = origin(ofLine: error.line) else { return error }
        return CDeclarationError(
            chunkName: file, line: line, column: error.column, reason: error.reason, near: error.near,
            excerpt: error.excerpt)
    }
}
