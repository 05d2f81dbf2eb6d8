"""The demo commune's fixed facts and its story (which organization improves, which slips)."""

# code, full name, short name (vi), name in English sentences, members at the end of 2022
ORGANIZATIONS = (
    (
        "mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
        "Mặt trận Tổ quốc xã",
        "the Fatherland Front",
        45,
    ),
    ("nongdan", "Hội Nông dân xã", "Hội Nông dân", "the Farmers' Union", 1150),
    ("phunu", "Hội Liên hiệp Phụ nữ xã", "Hội Phụ nữ", "the Women's Union", 980),
    (
        "doanthanhnien",
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh xã",
        "Đoàn Thanh niên",
        "the Youth Union",
        420,
    ),
    (
        "cuuchienbinh",
        "Hội Cựu chiến binh xã",
        "Hội Cựu chiến binh",
        "the Veterans' Association",
        160,
    ),
)

# code, name, adult population, households, minority village (more paper forms)
UNITS = (
    ("thon1", "Thôn 1", 820, 265, False),
    ("thon2", "Thôn 2", 760, 240, False),
    ("thon3", "Thôn 3", 640, 205, False),
    ("thon4", "Thôn 4", 910, 290, False),
    ("thon5", "Thôn 5", 540, 170, False),
    ("thon6", "Thôn 6", 480, 150, False),
    ("langbang", "Làng Bằng", 390, 105, True),
    ("langhway", "Làng Hway", 310, 85, True),
    ("langkdung", "Làng Kdung", 120, 34, True),
)
# The village with too few answers to show: never more than this many per survey.
SMALL_UNIT = "langkdung"
SMALL_UNIT_MAX = 3

YEARS = (2023, 2024, 2025)

# Share of satisfied answers (4 or 5) each organization earns, by year: the story.
SATISFACTION = {
    "mttq": {2023: 0.80, 2024: 0.83, 2025: 0.86},  # strong and steady
    "nongdan": {2023: 0.86, 2024: 0.75, 2025: 0.63},  # slipping
    "phunu": {2023: 0.58, 2024: 0.72, 2025: 0.88},  # improving
    "doanthanhnien": {2023: 0.70, 2024: 0.71, 2025: 0.72},  # near a tier boundary
    "cuuchienbinh": {2023: 0.81, 2024: 0.80, 2025: 0.82},  # steady
}
# Perceived quality of supervision work, the same for the whole Front, by year.
SUPERVISION = {2023: 0.62, 2024: 0.68, 2025: 0.74}

# How villages differ from the commune mean, on the latent satisfaction scale.
VILLAGE_SHIFT = {
    "thon1": 0.15,
    "thon2": 0.05,
    "thon3": -0.05,
    "thon4": 0.10,
    "thon5": -0.20,
    "thon6": 0.00,
    "langbang": -0.25,
    "langhway": -0.10,
    "langkdung": -0.30,
}

# The stuffed batch the integrity checks should find: identical top answers, fast, in one evening.
BURST = {"organization": "nongdan", "year": 2025, "unit": "thon5", "count": 24}

USERS = (
    ("vanphong", "admin", "Nguyễn Thị Lan (Văn phòng Đảng ủy)", None, None),
    ("thuongtruc", "committee", "Trần Văn Hùng (Thường trực Đảng ủy)", None, None),
    ("ubkt", "inspector", "Lê Minh Tâm (UBKT Đảng ủy)", None, None),
    ("hoinongdan", "org_officer", "Phạm Văn Thành (Hội Nông dân)", "nongdan", None),
    # The Fatherland Front's standing board reviews the other organizations' years.
    ("mattran", "org_officer", "Võ Thị Hoa (Ủy ban MTTQ xã)", "mttq", None),
    ("thon1", "unit_officer", "Đinh Văn Bảy (Trưởng thôn 1)", None, "thon1"),
)

COMMENTS = (
    "Đề nghị tổ chức thêm lớp hướng dẫn kỹ thuật chăn nuôi, trồng trọt ngay tại thôn.",
    "Đường vào khu sản xuất xuống cấp, mùa mưa đi lại rất khó, mong được phản ánh lên xã.",
    "Sinh hoạt chi hội nên tổ chức buổi tối để bà con đi rẫy về còn dự được.",
    "Cán bộ cần xuống thôn thường xuyên hơn, lắng nghe bà con nhiều hơn.",
    "Vốn vay ưu đãi còn ít, thủ tục còn rườm rà, đề nghị hướng dẫn cụ thể hơn.",
    "Mong giúp đỡ các hộ nghèo, hộ khó khăn sửa nhà trước mùa mưa bão.",
    "Các khoản đóng góp ở thôn cần công khai rõ ràng hơn.",
    "Đề nghị có thông báo bằng tiếng Bahnar để bà con trong làng dễ hiểu.",
    "Mùa khô thiếu nước sinh hoạt, đề nghị xã có phương án hỗ trợ.",
    "Thanh niên đi làm ăn xa nhiều, sinh hoạt đoàn nên linh hoạt, có thể qua Zalo.",
    "Cảm ơn đã hỗ trợ giống cây trồng, bà con rất phấn khởi.",
    "Kiến nghị lắp thêm đèn đường ở đoạn gần trường học.",
    "Cần quan tâm hơn đến cựu chiến binh già yếu, neo đơn.",
    "Chị em mong có thêm tổ tiết kiệm, vay vốn xoay vòng.",
    "Giá phân bón tăng cao, đề nghị liên kết mua chung để giảm chi phí.",
    "Họp thôn nên báo trước vài ngày để bà con sắp xếp công việc.",
)

# The reply each comment gets once answered: a published reply answers what it is published under.
REPLIES = {
    COMMENTS[0]: "Cảm ơn bà con đã góp ý. Đã phối hợp với Trạm khuyến nông mở 2 lớp tập huấn "
    "kỹ thuật chăn nuôi, trồng trọt tại nhà văn hóa thôn.",
    COMMENTS[1]: "Ý kiến đã được chuyển đến UBND xã; xã đã đưa việc sửa đường vào khu sản xuất "
    "vào kế hoạch năm tới, trước mắt san lấp các đoạn lầy lội.",
    COMMENTS[2]: "Từ tháng này chi hội sinh hoạt vào tối thứ Bảy theo đề nghị của bà con.",
    COMMENTS[3]: "Ban Thường vụ đã phân công cán bộ phụ trách từng thôn, mỗi tháng xuống thôn ít "
    "nhất một lần.",
    COMMENTS[4]: "Đã phối hợp với Ngân hàng Chính sách xã hội hướng dẫn thủ tục vay vốn tại nhà "
    "văn hóa thôn; hồ sơ được hỗ trợ làm ngay tại chỗ.",
    COMMENTS[5]: "Đã vận động sửa chữa 3 nhà cho hộ khó khăn trước mùa mưa.",
    COMMENTS[6]: "Từ quý này các khoản đóng góp được niêm yết tại nhà văn hóa thôn và đọc ở buổi "
    "họp thôn.",
    COMMENTS[7]: "Thông báo của xã và của Hội nay được đọc thêm bằng tiếng Bahnar trên loa thôn.",
    COMMENTS[8]: "Xã đã đưa xe chở nước đến các thôn thiếu nước trong mùa khô và đang khảo sát "
    "đào thêm giếng.",
    COMMENTS[9]: "Chi đoàn đã lập nhóm Zalo; đoàn viên đi làm xa sinh hoạt trực tuyến mỗi tháng.",
    COMMENTS[10]: "Cảm ơn bà con; vụ tới Hội tiếp tục phối hợp hỗ trợ giống cho các hộ đăng ký.",
    COMMENTS[11]: "Ý kiến đã được chuyển đến UBND xã; đèn đường đoạn gần trường học đã được lắp.",
    COMMENTS[12]: "Hội đã lập tổ thăm hỏi, mỗi tháng đến thăm các cựu chiến binh già yếu, neo đơn.",
    COMMENTS[13]: "Đã thành lập thêm 2 tổ tiết kiệm, vay vốn xoay vòng ở các thôn có nhu cầu.",
    COMMENTS[14]: "Hội đã liên kết với đại lý mua chung phân bón cho hội viên, giá giảm "
    "khoảng 10%.",
    COMMENTS[15]: "Từ nay giấy mời họp thôn được gửi trước ít nhất ba ngày.",
}
assert set(REPLIES) == set(COMMENTS)
