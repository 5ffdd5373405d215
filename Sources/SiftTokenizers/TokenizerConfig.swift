// The parts of transformers' `tokenizer_config.json` that affect tokenization (plus `chat_template.jinja`).
import Foundation

/// Settings read from `tokenizer_config.json`; every field is optional.
struct TokenizerConfig {
    var tokenizerClass: String?
    var doLowerCase: Bool?
    var stripAccents: Bool?
    var tokenizeChineseChars: Bool?
    var addPrefixSpace: Bool?
    var addBOSToken: Bool?
    var addEOSToken: Bool?
    var unknownToken: String?
    var padToken: String?
    var bosToken: String?
    var eosToken: String?
    var clsToken: String?
    var sepToken: String?
    var maskToken: String?
    var modelMaxLength: Int?
    var chatTemplate: String?
    /// `added_tokens_decoder` entries.
    var addedTokens: [AddedToken] = []
    /// `additional_special_tokens` / `extra_special_tokens` strings.
    var extraSpecialTokens: [String] = []

    init() {}

    /// Reads `tokenizer_config.json` in `directory` (and `chat_template.jinja` beside it), if present.
    static func load(directory: URL) throws -> TokenizerConfig {
        var config = TokenizerConfig()
        let url = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: url.path) {
            config = try TokenizerConfig(file: JSONFile(url: url))
        }
        let jinja = directory.appendingPathComponent("chat_template.jinja")
        if config.chatTemplate == nil, FileManager.default.fileExists(atPath: jinja.path) {
            do {
                config.chatTemplate = try String(contentsOf: jinja, encoding: .utf8)
            } catch {
                throw TokenizerError.unreadableFile(path: jinja.path, reason: "\(error)")
            }
        }
        return config
    }

    init(file: JSONFile) throws {
        let root = file.root
        let path = file.path
        tokenizerClass = try JSONFile.string(root["tokenizer_class"], key: "tokenizer_class", path: path)
        doLowerCase = try JSONFile.bool(root["do_lower_case"], key: "do_lower_case", path: path)
        stripAccents = try JSONFile.bool(root["strip_accents"], key: "strip_accents", path: path)
        tokenizeChineseChars = try JSONFile.bool(root["tokenize_chinese_chars"], key: "tokenize_chinese_chars", path: path)
        addPrefixSpace = try JSONFile.bool(root["add_prefix_space"], key: "add_prefix_space", path: path)
        addBOSToken = try JSONFile.bool(root["add_bos_token"], key: "add_bos_token", path: path)
        addEOSToken = try JSONFile.bool(root["add_eos_token"], key: "add_eos_token", path: path)
        unknownToken = try JSONFile.tokenContent(root["unk_token"], key: "unk_token", path: path)
        padToken = try JSONFile.tokenContent(root["pad_token"], key: "pad_token", path: path)
        bosToken = try JSONFile.tokenContent(root["bos_token"], key: "bos_token", path: path)
        eosToken = try JSONFile.tokenContent(root["eos_token"], key: "eos_token", path: path)
        clsToken = try JSONFile.tokenContent(root["cls_token"], key: "cls_token", path: path)
        sepToken = try JSONFile.tokenContent(root["sep_token"], key: "sep_token", path: path)
        maskToken = try JSONFile.tokenContent(root["mask_token"], key: "mask_token", path: path)
        modelMaxLength = try JSONFile.int(root["model_max_length"], key: "model_max_length", path: path)
        if let template = root["chat_template"] {
            if let text = template.stringValue {
                chatTemplate = text
            } else if let list = template.arrayValue {
                // Named templates: use "default".
                chatTemplate = list.first(where: { $0.objectValue?["name"]?.stringValue == "default" })?.objectValue?["template"]?.stringValue
            } else if !template.isNull {
                throw TokenizerError.malformedJSON(path: path, detail: "\"chat_template\" should be a string or a list of {name, template}")
            }
        }
        if let decoder = try JSONFile.object(root["added_tokens_decoder"], key: "added_tokens_decoder", path: path) {
            for (key, value) in decoder {
                guard let id = Int(key) else {
                    throw TokenizerError.malformedJSON(path: path, detail: "added_tokens_decoder key \"\(key)\" is not an integer id")
                }
                addedTokens.append(try JSONFile.addedToken(value, id: id, key: "added_tokens_decoder[\"\(key)\"]", path: path))
            }
            addedTokens.sort { $0.id < $1.id }
        }
        for key in ["additional_special_tokens", "extra_special_tokens"] {
            guard let value = root[key], !value.isNull else { continue }
            if let list = value.arrayValue {
                for (index, item) in list.enumerated() {
                    if let token = try JSONFile.tokenContent(item, key: "\(key)[\(index)]", path: path) {
                        extraSpecialTokens.append(token)
                    }
                }
            } else if let dictionary = value.objectValue {
                for (name, item) in dictionary.sorted(by: { $0.key < $1.key }) {
                    if let token = try JSONFile.tokenContent(item, key: "\(key).\(name)", path: path) {
                        extraSpecialTokens.append(token)
                    }
                }
            } else {
                throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be a list of tokens")
            }
        }
    }
}
